-- A tiny world for the sandbox tests: the public schema (created from sqldrills.schema)
-- filled with a handful of rows, enough for joins, windows and time zones to return data.
INSERT INTO accounts VALUES
  (1, TIMESTAMP '2024-03-01 08:00:00', 'US', 'America/New_York', 'standard', false, 'a@example.com', 'search'),
  (2, TIMESTAMP '2024-03-02 23:30:00', 'IN', 'Asia/Kolkata', 'premium', false, 'b@example.com', NULL),
  (3, TIMESTAMP '2024-03-03 12:00:00', 'JP', 'Asia/Tokyo', 'ads', true, 'bot@example.com', 'paid');
INSERT INTO profiles VALUES
  (10, 1, 'Ana', false, TIMESTAMP '2024-03-01 08:05:00'),
  (11, 1, 'Kids', true, TIMESTAMP '2024-03-01 08:06:00'),
  (20, 2, 'Ravi', false, TIMESTAMP '2024-03-02 23:35:00');
INSERT INTO devices VALUES
  ('d1', 1, 'tv', TIMESTAMP '2024-03-01 08:01:00'),
  ('d2', 1, 'mobile', TIMESTAMP '2024-03-01 09:00:00'),
  ('d3', 2, 'web', TIMESTAMP '2024-03-02 23:31:00'),
  ('d4', 3, 'console', TIMESTAMP '2024-03-03 12:01:00');
INSERT INTO titles VALUES
  (100, 'The Long Night', 'movie', 'drama', 125, DATE '2024-01-15', true),
  (101, 'Pilot', 'episode', NULL, 42, DATE '2024-03-02', false),
  (102, 'Finale', 'episode', 'comedy', 38, DATE '2024-03-10', true);
INSERT INTO events VALUES
  ('e1', 1, NULL, 'd1', 's1', 'app_open', NULL, TIMESTAMP '2024-03-01 08:10:00', TIMESTAMP '2024-03-01 08:10:01', 'America/New_York', NULL),
  ('e2', 1, 10, 'd1', 's1', 'play_start', 100, TIMESTAMP '2024-03-01 08:11:00', TIMESTAMP '2024-03-01 08:11:01', 'America/New_York', NULL),
  ('e3', 1, 10, 'd1', 's1', 'heartbeat', 100, TIMESTAMP '2024-03-01 08:16:00', TIMESTAMP '2024-03-01 08:16:01', 'America/New_York', 300),
  ('e3', 1, 10, 'd1', 's1', 'heartbeat', 100, TIMESTAMP '2024-03-01 08:16:00', TIMESTAMP '2024-03-01 08:20:00', 'America/New_York', 300),
  ('e4', 1, 11, 'd2', 's2', 'play_start', 101, TIMESTAMP '2024-03-02 18:00:00', TIMESTAMP '2024-03-04 07:00:00', 'Europe/London', NULL),
  ('e5', 1, 11, 'd2', 's2', 'play_stop', 101, TIMESTAMP '2024-03-02 18:30:00', TIMESTAMP '2024-03-04 07:00:00', 'Europe/London', 1800),
  ('e6', 2, NULL, 'd3', 's3', 'browse', NULL, TIMESTAMP '2024-03-02 23:40:00', TIMESTAMP '2024-03-02 23:40:02', 'Asia/Kolkata', NULL),
  ('e7', 3, NULL, 'd4', 's4', 'search', NULL, TIMESTAMP '2024-03-03 12:05:00', TIMESTAMP '2024-03-03 12:05:00', 'Asia/Tokyo', NULL);
INSERT INTO subscriptions VALUES
  (1000, 1, 'basic', 9.99, TIMESTAMP '2024-03-01 08:00:00', TIMESTAMP '2024-03-05 00:00:00', 'voluntary'),
  (1001, 1, 'standard', 15.49, TIMESTAMP '2024-03-06 00:00:00', NULL, NULL),
  (1002, 2, 'premium', 22.99, TIMESTAMP '2024-03-02 23:30:00', NULL, NULL);
INSERT INTO experiment_assignments VALUES
  ('exp_home_row', 1, 'control', TIMESTAMP '2024-03-01 08:00:00'),
  ('exp_home_row', 2, 'treatment', TIMESTAMP '2024-03-02 23:30:00');
INSERT INTO dataset_info VALUES
  (TIMESTAMP '2024-03-10 00:00:00', 7, 'tiny', 'sandbox-tests', 'test');
