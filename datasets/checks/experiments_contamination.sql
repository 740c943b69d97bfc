-- property: every experiment has accounts logged in both variants
-- why: analysing them in both arms (or either) biases the comparison
SELECT experiment_id FROM experiment_assignments
GROUP BY 1 HAVING count(DISTINCT account_id) FILTER (WHERE account_id IN (
  SELECT account_id FROM experiment_assignments x WHERE x.experiment_id = experiment_assignments.experiment_id
  GROUP BY 1 HAVING count(DISTINCT variant) = 2)) = 0
UNION ALL
SELECT 'missing experiment ' || e FROM (VALUES ('home_row_v2'), ('autoplay_previews'), ('onboarding_tour')) v(e)
WHERE e NOT IN (SELECT experiment_id FROM experiment_assignments)
