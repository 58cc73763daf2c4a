"""Distribution: every holder of the distributor role has a distributor profile.

Before the role and the profile came together, a user could hold the role (the demo seed, an
`/api/me/roles` grant) with no profile, and every distributor endpoint answered 409
not_a_distributor. This gives each such user a code and, as a parent, the distributor their live
binding names (a user without a profile has no downline, so no loop can form). Run again, it
finds no one."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-02T17:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "distribution: a profile for every holder of the distributor role"

# The code alphabet of livecommerce/domains/distribution/distributors.py (no 0/O, 1/I); a taken
# code is drawn again.
SQL = """
DO $$
DECLARE
  holder record;
  drawn text;
BEGIN
  FOR holder IN
    SELECT u.id,
      (SELECT b.distributor_id FROM referral_bindings b WHERE b.buyer_id = u.id
        ORDER BY b.id DESC LIMIT 1) AS bound_to,
      (SELECT b.expires_at IS NULL OR b.expires_at > now() FROM referral_bindings b
        WHERE b.buyer_id = u.id ORDER BY b.id DESC LIMIT 1) AS live
    FROM users u
    WHERE 'distributor' = ANY(u.roles)
      AND NOT EXISTS (SELECT 1 FROM distributors d WHERE d.user_id = u.id)
    ORDER BY u.id
  LOOP
    LOOP
      drawn := (SELECT string_agg(substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
                                         1 + floor(random() * 32)::int, 1), '')
                FROM generate_series(1, 8));
      BEGIN
        INSERT INTO distributors (user_id, code, parent_id, created_at)
        VALUES (holder.id, drawn,
                CASE WHEN holder.live AND holder.bound_to <> holder.id
                     AND EXISTS (SELECT 1 FROM distributors p WHERE p.user_id = holder.bound_to)
                     THEN holder.bound_to END,
                now());
        EXIT;
      EXCEPTION WHEN unique_violation THEN
        -- the code was taken: draw another (or the profile came meanwhile: done)
        IF EXISTS (SELECT 1 FROM distributors d WHERE d.user_id = holder.id) THEN
          EXIT;
        END IF;
      END;
    END LOOP;
  END LOOP;
END $$;
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
