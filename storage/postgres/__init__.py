"""The kiosk's database on a PostgreSQL server that every kiosk of a site shares (psycopg 3)."""
