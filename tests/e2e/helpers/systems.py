"""Reading the simulated systems as a connector would: the API's pages, the vendor database's read-only login."""

from __future__ import annotations

import json

import httpx


def fetch_all(port: int, token: str, endpoint: str, since: str, until: str, size: int = 50) -> tuple[list, list]:
    pages, records, page = [], [], 1
    while True:
        response = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/{endpoint}",
            headers={"Authorization": f"Bearer {token}"},
            params={"cap_nhat_tu": since, "cap_nhat_den": until, "trang": page, "so_ban_ghi": size},
        )
        assert response.status_code == 200
        body = response.json()
        pages.append(body)
        records.extend(body["result"])
        if page >= int(body["so_trang"]):
            return pages, records
        page += 1


def reader_url(sim, system_id: str) -> str:
    conn = json.loads(sim.connections()[f"AIRFLOW_CONN_ONESTOP_{system_id.upper()}"])
    assert conn["conn_type"] == "postgres"
    return f"postgresql://{conn['login']}:{conn['password']}@{conn['host']}:{conn['port']}/{conn['schema']}"
