#!/bin/sh
# Metabase's first run: create the admin and add the onestop warehouse, connected as the read-only BI role.
set -eu
token=$(curl -sf "$MB_URL/api/session/properties" | sed -n 's/.*"setup-token":"\([^"]*\)".*/\1/p')
if [ -z "$token" ]; then
    echo "Metabase is already set up"; exit 0
fi
curl -sf -X POST "$MB_URL/api/setup" -H 'Content-Type: application/json' -d "{
  \"token\": \"$token\",
  \"user\": {\"email\": \"$MB_ADMIN_EMAIL\", \"password\": \"$MB_ADMIN_PASSWORD\", \"first_name\": \"onestop\", \"last_name\": \"admin\"},
  \"prefs\": {\"site_name\": \"onestop\", \"allow_tracking\": false},
  \"database\": {\"engine\": \"postgres\", \"name\": \"onestop marts\", \"details\": {
    \"host\": \"$WAREHOUSE_HOST\", \"port\": 5432, \"dbname\": \"$WAREHOUSE_DB\",
    \"user\": \"$WAREHOUSE_USER\", \"password\": \"$WAREHOUSE_PASSWORD\", \"schema-filters-type\": \"inclusion\",
    \"schema-filters-patterns\": \"marts\"}}
}" >/dev/null
echo "Metabase set up with the warehouse as $WAREHOUSE_USER"
