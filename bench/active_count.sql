-- Counting who is employed with a login, without and with two covering indexes tried in session 9 and not kept
-- (docs/benchmarks.md, "Where it stands: session 9"): staff_employee (user_id, hire_date, termination_date) and a
-- partial index of active logins on auth_user (id) WHERE is_active. On a database built by bench/scale.py:
--
--     psql -h 127.0.0.1 -U postgres -d h_scale_30000 -f bench/active_count.sql | grep -E '^--|Time'
--
-- The forms are the admin's "active" employee list's paginator COUNT and a leave schedule's employees
-- (schedule.notices.campaign_employees, counted on HR's progress page), each three times with psql's timing. The
-- indexes are made, the two tables vacuumed (index-only scans need the visibility map), and the indexes dropped at
-- the end: the database is left as it was, vacuumed.
\timing on
SELECT id AS campaign, make_date(year, 1, 1) AS first_day, make_date(year, 12, 31) AS last_day
FROM schedule_campaign ORDER BY year DESC LIMIT 1 \gset
VACUUM (ANALYZE) staff_employee, auth_user;
\echo '-- without the indexes: the admin list ?active=yes, its COUNT'
SELECT count(*) FROM staff_employee e JOIN auth_user u ON e.user_id = u.id
WHERE u.is_active AND (e.termination_date IS NULL OR e.termination_date >= CURRENT_DATE);
\g
\g
\echo '-- without the indexes: the schedule progress page, its company line'
SELECT count(e.id), count(e.id) FILTER (WHERE e.id IN (SELECT employee_id FROM schedule_part WHERE campaign_id = :campaign))
FROM staff_employee e JOIN auth_user u ON u.id = e.user_id
WHERE e.hire_date <= :'last_day' AND u.is_active AND (e.termination_date IS NULL OR e.termination_date >= :'first_day');
\g
\g
CREATE INDEX IF NOT EXISTS bench_employee_user_dates ON staff_employee (user_id, hire_date, termination_date);
CREATE INDEX IF NOT EXISTS bench_user_active ON auth_user (id) WHERE is_active;
VACUUM (ANALYZE) staff_employee, auth_user;
\echo '-- with the indexes: the admin list ?active=yes, its COUNT'
SELECT count(*) FROM staff_employee e JOIN auth_user u ON e.user_id = u.id
WHERE u.is_active AND (e.termination_date IS NULL OR e.termination_date >= CURRENT_DATE);
\g
\g
\echo '-- with the indexes: the schedule progress page, its company line'
SELECT count(e.id), count(e.id) FILTER (WHERE e.id IN (SELECT employee_id FROM schedule_part WHERE campaign_id = :campaign))
FROM staff_employee e JOIN auth_user u ON u.id = e.user_id
WHERE e.hire_date <= :'last_day' AND u.is_active AND (e.termination_date IS NULL OR e.termination_date >= :'first_day');
\g
\g
DROP INDEX bench_employee_user_dates;
DROP INDEX bench_user_active;
