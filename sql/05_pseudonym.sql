-- The key of the keyed hash that replaces personal data in staging (HMAC-SHA256). Only its pads are stored,
-- readable by the transformer alone; `onestop warehouse init` sets them from ONESTOP_PII_KEY.
create table if not exists audit.pseudonym_key (
    id          integer primary key default 1 check (id = 1),
    ipad        bytea not null,
    opad        bytea not null,
    fingerprint text  not null,              -- sha256 of the key: tells whether it changed, not what it is
    set_at      timestamptz not null default now()
);
revoke all on audit.pseudonym_key from onestop_loader, onestop_bi;
grant select on audit.pseudonym_key to onestop_transformer;

create or replace function audit.set_pseudonym_key(secret text) returns boolean
language plpgsql security invoker as $function$
declare
    key_bytes bytea := convert_to(secret, 'UTF8');
    inner_pad bytea;
    outer_pad bytea;
    position integer;
    print text := encode(sha256(convert_to(secret, 'UTF8')), 'hex');
begin
    if exists (select 1 from audit.pseudonym_key where fingerprint = print) then
        return false;
    end if;
    if length(key_bytes) > 64 then
        key_bytes := sha256(key_bytes);
    end if;
    key_bytes := key_bytes || decode(repeat('00', 64 - length(key_bytes)), 'hex');
    inner_pad := key_bytes;
    outer_pad := key_bytes;
    for position in 0..63 loop
        inner_pad := set_byte(inner_pad, position, get_byte(key_bytes, position) # 54);
        outer_pad := set_byte(outer_pad, position, get_byte(key_bytes, position) # 92);
    end loop;
    insert into audit.pseudonym_key (id, ipad, opad, fingerprint) values (1, inner_pad, outer_pad, print)
    on conflict (id) do update set ipad = excluded.ipad, opad = excluded.opad, fingerprint = excluded.fingerprint,
        set_at = now();
    return true;
end
$function$;
revoke all on function audit.set_pseudonym_key(text) from public;
