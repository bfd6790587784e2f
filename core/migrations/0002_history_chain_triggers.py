"""Chain every event of the money and mark workflows, in PostgreSQL, whoever writes it.

An AFTER INSERT trigger on each event table finds the event's shop, takes the row
lock of that shop's chain head (an upsert: one statement, one lock) and appends one
link holding sha256(previous hash || the event row's canonical JSON). The JSON is
jsonb text (sorted keys) without null fields, so adding a nullable column to an
event table later leaves old hashes valid; the function runs in UTC so timestamps
read the same in every session. Events already present are chained in id order.
"""

from django.db import migrations

# event table, its primary key, the column leading to the shop, the table holding
# that shop (blank when the column is the shop itself)
CHAINED = [
    ("guarantees_guaranteeevent", "pgh_id", "shop_id", ""),
    ("disputes_claimevent", "pgh_id", "shop_id", ""),
    ("disputes_messageevent", "pgh_id", "claim_id", "disputes_claim"),
    ("disputes_payoutevent", "pgh_id", "claim_id", "disputes_claim"),
    ("disputes_recourseentry", "id", "shop_id", ""),
    ("disputes_recoursereimbursementevent", "pgh_id", "entry_id", "disputes_recourseentry"),
    ("certification_trustmarkevent", "pgh_id", "shop_id", ""),
]

FUNCTIONS = """
CREATE OR REPLACE FUNCTION core_history_append(
    p_table text, p_pk bigint, p_chain bigint, p_row jsonb
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_text text := jsonb_strip_nulls(p_row)::text;
    v_seq bigint;
    v_prev text;
    v_hash text;
BEGIN
    INSERT INTO core_historychainhead AS h (chain, seq, prev_hash, hash)
    VALUES (p_chain, 1, '', encode(sha256(convert_to(v_text, 'UTF8')), 'hex'))
    ON CONFLICT (chain) DO UPDATE SET
        seq = h.seq + 1,
        prev_hash = h.hash,
        hash = encode(sha256(convert_to(h.hash || v_text, 'UTF8')), 'hex')
    RETURNING seq, prev_hash, hash INTO v_seq, v_prev, v_hash;
    INSERT INTO core_historylink (chain, seq, event_table, event_pk, prev_hash, hash)
    VALUES (p_chain, v_seq, p_table, p_pk, v_prev, v_hash);
END $$;

CREATE OR REPLACE FUNCTION core_history_shop(p_row jsonb, p_column text, p_parent text)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_shop bigint;
BEGIN
    IF p_parent = '' THEN
        RETURN (p_row->>p_column)::bigint;
    END IF;
    EXECUTE format('SELECT shop_id FROM %I WHERE id = $1', p_parent)
        INTO v_shop USING (p_row->>p_column)::bigint;
    RETURN v_shop;
END $$;

CREATE OR REPLACE FUNCTION core_history_chain() RETURNS trigger
LANGUAGE plpgsql SET TimeZone = 'UTC' AS $$
DECLARE
    v_row jsonb := to_jsonb(NEW);
BEGIN
    PERFORM core_history_append(
        TG_TABLE_NAME,
        (v_row->>TG_ARGV[0])::bigint,
        coalesce(core_history_shop(v_row, TG_ARGV[1], TG_ARGV[2]), 0),
        v_row
    );
    RETURN NULL;
END $$;
"""


def _install() -> str:
    statements = [FUNCTIONS, "SET LOCAL TimeZone = 'UTC';"]
    for table, pk, column, parent in CHAINED:
        statements.append(
            f"CREATE TRIGGER core_history_chain AFTER INSERT ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION core_history_chain('{pk}', '{column}', '{parent}');"
        )
        statements.append(
            f"SELECT core_history_append('{table}', e.{pk}::bigint, "
            f"coalesce(core_history_shop(to_jsonb(e), '{column}', '{parent}'), 0), to_jsonb(e)) "
            f"FROM (SELECT * FROM {table} ORDER BY {pk}) e;"
        )
    return "\n".join(statements)


def _uninstall() -> str:
    drops = [f"DROP TRIGGER IF EXISTS core_history_chain ON {table};" for table, *_ in CHAINED]
    drops.append("DROP FUNCTION IF EXISTS core_history_chain();")
    drops.append("DROP FUNCTION IF EXISTS core_history_shop(jsonb, text, text);")
    drops.append("DROP FUNCTION IF EXISTS core_history_append(text, bigint, bigint, jsonb);")
    return "\n".join(drops)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_history_chain"),
        ("certification", "0006_review_and_integration_areas"),
        ("disputes", "0002_recourse_reimbursement"),
        ("guarantees", "0004_guarantee_number_from_the_insert"),
    ]

    operations = [migrations.RunSQL(_install(), _uninstall())]
