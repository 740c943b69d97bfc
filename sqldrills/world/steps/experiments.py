"""The recipe's A/B tests: who is in which arm, and what that does to them."""

from __future__ import annotations

from sqldrills.world.steps.context import Build
from sqldrills.world.steps.sql import lookup, timestamp


def experiment_assignments(b: Build) -> None:
    """Reads temp.acct; writes temp.assignment and experiment_assignments."""
    rows = []
    for exp_id, e in b.r["experiments"].items():
        share = e.get("treatment_share_by_device")
        p_treat = (
            lookup("primary_device_type", share, e["treatment_share"])
            if share else repr(e["treatment_share"])
        )
        window = f"signup_ts_utc >= {timestamp(e['start'])} AND signup_ts_utc < {timestamp(e['end'])}"
        treated, randomised = f"u('variant:{exp_id}', account_id) < {p_treat}", "acct"
        if e.get("exact_accounts", 0) > 0:
            # Exact arm sizes, the same at every scale and seed (given enough signups): the
            # first exact_accounts signups of the window, exact_treatment_accounts of them,
            # those with the smallest draws, in treatment.
            treated = f"draw_rank <= {int(e['exact_treatment_accounts'])}"
            randomised = f"""(SELECT *, row_number() OVER (
                ORDER BY u('variant:{exp_id}', account_id), account_id) AS draw_rank
              FROM (SELECT * FROM acct WHERE {window}
                    QUALIFY row_number() OVER (ORDER BY signup_ts_utc, account_id)
                      <= {int(e['exact_accounts'])}))"""
        rows.append(f"""
        SELECT '{exp_id}' AS experiment_id, account_id,
          CASE WHEN {treated} THEN 'treatment' ELSE 'control' END AS variant,
          signup_ts_utc + secs(30 + floor(u('assigned:{exp_id}', account_id) * 900))
            AS assigned_ts_utc,
          u('both:{exp_id}', account_id) < {e['both_arms_share']} AS both_arms
        FROM {randomised}
        WHERE {window}""")
    b.sql("CREATE TEMP TABLE assignment AS " + " UNION ALL ".join(rows))
    # Contaminated accounts are later also logged in the other arm.
    b.sql("""
    INSERT INTO experiment_assignments
    SELECT experiment_id, account_id, variant, assigned_ts_utc FROM assignment
    UNION ALL
    SELECT experiment_id, account_id,
      CASE variant WHEN 'treatment' THEN 'control' ELSE 'treatment' END,
      assigned_ts_utc + secs(3600 + floor(u('both_at:' || experiment_id, account_id)
          * 4 * 86400))
    FROM assignment WHERE both_arms
    """)


def experiment_effects(b: Build) -> None:
    """Reads temp.acct, temp.assignment; writes temp.effects (engagement lift, extra churn,
    when the onboarding tour's novelty starts) per account."""
    ex = b.r["experiments"]
    b.sql(f"""
    CREATE TEMP TABLE effects AS
    SELECT a.account_id,
      (1 + CASE WHEN h.variant = 'treatment' THEN {ex['home_row_v2']['engagement_lift']}
                ELSE 0 END)
      * (1 + CASE WHEN p.variant = 'treatment'
                  THEN {ex['autoplay_previews']['engagement_lift']} ELSE 0 END) AS lift,
      p.variant = 'treatment'
        AND u('extra_churn', a.account_id) < {ex['autoplay_previews']['extra_churn_share']}
        AS extra_churn,
      CASE WHEN o.variant = 'treatment' THEN o.assigned_ts_utc END AS novelty_from
    FROM acct a
    LEFT JOIN assignment h ON h.account_id = a.account_id
         AND h.experiment_id = 'home_row_v2'
    LEFT JOIN assignment p ON p.account_id = a.account_id
         AND p.experiment_id = 'autoplay_previews'
    LEFT JOIN assignment o ON o.account_id = a.account_id
         AND o.experiment_id = 'onboarding_tour'
    """)
