"""Real processes for integration and fault tests, one module per service; import from the module itself.

- `util`: `wait_until` (poll with a deadline instead of sleeping), `free_port`, `terminate_group`,
  `run_together` (a race on purpose), `login_client`.
- `marks`: `INTEGRATION` and the `requires_*` skip marks.
- `smtp`: `SMTPServer`, the one SMTP server, which accepts, refuses, rejects or hangs as a test plans.
- `redis_server`, `rabbitmq`, `postgres`: private brokers and a throwaway PostgreSQL cluster on free
  loopback ports that a test may stop and start; the machine's own servers are never touched.
- `broker`: `celery_broker(url)`, the `broker_url` fixture, `private_broker()`, `purge_queues`,
  `wait_for_consumer`.
- `celery_worker`: `CeleryWorker` and `worker_env`; `beat`: `Sweeper`, beat's sweeping jobs on a short period.
- `gunicorn_server`: `Gunicorn`, the project's gunicorn on a free port.
- `slapd`: `Slapd`, a private OpenLDAP directory (Debian's slapd) with an AD-like test directory, for the
  corporate sign-in; it can be stopped and started (an outage).
"""
