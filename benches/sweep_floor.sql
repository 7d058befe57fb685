-- The database's share of a sweep, without yekuo: the writes of 10,000
-- escalations (ticket update, escalation row, event, outbox mail of the
-- same sizes) done by SQL from rows already in the database. Run on a
-- fresh copy of the demo database (docs/benchmarks.md), once over all due
-- tickets or in two sessions over halves:
--   psql -v lo=1 -v hi=10000 -f benches/sweep_floor.sql DB
--   psql -v lo=1 -v hi=5000 -f … & psql -v lo=5001 -v hi=10000 -f … ; wait
begin;
update tickets set owner_id = 2, escalation_level = 3, next_escalation_at = null, updated_at = now()
  where id between :lo and :hi and escalation_level = 0;
insert into escalations (ticket_id, round, level, from_owner_id, to_owner_id, rule, due_at, as_of, created_at)
  select id, 0, 3, manager_id, 2, 'level 3 head at due (overdue)', due_at, now(), now()
  from tickets where id between :lo and :hi on conflict do nothing;
insert into ticket_events (ticket_id, seq, at, actor, actor_id, kind, payload, prev_hash, hash)
  select id, 2, now(), 'system', null, 'escalated', repeat('p', 240),
         md5(id::text) || md5(id::text), md5(id::text || 'x') || md5(id::text)
  from tickets where id between :lo and :hi;
insert into mail_outbox (message_id, idempotency_key, recipients, cc, subject, body_text, body_html,
                         template, ticket_id, event_id, state, attempts, next_attempt_at, created_at)
  select '<yk.' || md5(id::text) || '@demo.invalid>', 'escalation:' || id || ':0:3',
         'demo-head <demo-head@demo.invalid>', 'demo-mgr-01 <demo-mgr-01@demo.invalid>',
         repeat('s', 50), repeat('t', 376), repeat('h', 1096), 'escalation', id, null,
         'pending', 0, now(), now()
  from tickets where id between :lo and :hi;
commit;
