-- The HR schedule progress page's company line ("N of M employees have proposed") in the forms tried for issue 20,
-- each run twice with psql's timing, on the latest campaign of a database built by bench/scale.py:
--
--     psql -h 127.0.0.1 -U postgres -d h_scale_30000 -f bench/progress_totals.sql | grep -E '^--|Time'
--
-- The campaign covers every employee hired by its last day, not dismissed before its first, with an active login
-- (schedule.notices.campaign_employees). Read-only: the covering indexes of the last form are made and dropped
-- inside a transaction that is rolled back (their plans then come without a vacuum: index-only scans need one).
\timing on
SELECT id AS campaign, make_date(year, 1, 1) AS first_day, make_date(year, 12, 31) AS last_day
FROM schedule_campaign ORDER BY year DESC LIMIT 1 \gset
\echo '-- as schedule.selectors.progress writes it: COUNT with FILTER (id IN the proposers)'
SELECT count(e.id), count(e.id) FILTER (WHERE e.id IN (SELECT employee_id FROM schedule_part WHERE campaign_id = :campaign))
FROM staff_employee e JOIN auth_user u ON u.id = e.user_id
WHERE e.hire_date <= :'last_day' AND u.is_active AND (e.termination_date IS NULL OR e.termination_date >= :'first_day');
\g
\echo '-- with EXISTS'
SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM schedule_part p WHERE p.campaign_id = :campaign AND p.employee_id = e.id))
FROM staff_employee e JOIN auth_user u ON u.id = e.user_id
WHERE e.hire_date <= :'last_day' AND u.is_active AND (e.termination_date IS NULL OR e.termination_date >= :'first_day');
\g
\echo '-- the proposers alone, as a semi-join'
SELECT count(*) FROM staff_employee e JOIN auth_user u ON u.id = e.user_id
WHERE e.hire_date <= :'last_day' AND u.is_active AND (e.termination_date IS NULL OR e.termination_date >= :'first_day')
AND e.id IN (SELECT employee_id FROM schedule_part WHERE campaign_id = :campaign);
\g
\echo '-- a LEFT JOIN to the distinct proposers'
SELECT count(*), count(p.employee_id) FROM staff_employee e JOIN auth_user u ON u.id = e.user_id
LEFT JOIN (SELECT DISTINCT employee_id FROM schedule_part WHERE campaign_id = :campaign) p ON p.employee_id = e.id
WHERE e.hire_date <= :'last_day' AND u.is_active AND (e.termination_date IS NULL OR e.termination_date >= :'first_day');
\g
\echo '-- the same with merge joins forced'
BEGIN;
SET LOCAL enable_hashjoin = off;
SET LOCAL enable_hashagg = off;
SELECT count(*), count(p.employee_id) FROM staff_employee e JOIN auth_user u ON u.id = e.user_id
LEFT JOIN (SELECT DISTINCT employee_id FROM schedule_part WHERE campaign_id = :campaign) p ON p.employee_id = e.id
WHERE e.hire_date <= :'last_day' AND u.is_active AND (e.termination_date IS NULL OR e.termination_date >= :'first_day');
\g
ROLLBACK;
\echo '-- parts: the employees joined to their logins'
SELECT count(*) FROM staff_employee e JOIN auth_user u ON u.id = e.user_id
WHERE e.hire_date <= :'last_day' AND u.is_active AND (e.termination_date IS NULL OR e.termination_date >= :'first_day');
\g
\echo '-- parts: the employees alone'
SELECT count(*) FROM staff_employee e
WHERE e.hire_date <= :'last_day' AND (e.termination_date IS NULL OR e.termination_date >= :'first_day');
\g
\echo '-- parts: the distinct proposers'
SELECT count(DISTINCT employee_id) FROM schedule_part WHERE campaign_id = :campaign;
\g
\echo '-- the first form with covering indexes (made and rolled back)'
BEGIN;
CREATE INDEX bench_employee_user_covering ON staff_employee (user_id) INCLUDE (id, hire_date, termination_date);
CREATE INDEX bench_user_active ON auth_user (id) WHERE is_active;
ANALYZE staff_employee;
ANALYZE auth_user;
SELECT count(e.id), count(e.id) FILTER (WHERE e.id IN (SELECT employee_id FROM schedule_part WHERE campaign_id = :campaign))
FROM staff_employee e JOIN auth_user u ON u.id = e.user_id
WHERE e.hire_date <= :'last_day' AND u.is_active AND (e.termination_date IS NULL OR e.termination_date >= :'first_day');
\g
ROLLBACK;
