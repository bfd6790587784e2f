"""Keep the buyer's personal fields out of the history chain's hashes, so erasure can remove them.

A buyer may ask for their personal data to be erased (privacy/erasure.py); the
history events must then lose the buyer's email, name and own words while the
amounts, dates, states and decisions stay. Those fields are therefore left out of
the canonical JSON that each link hashes: `core_history_payload(table, row)` is
that JSON, used by the trigger and by verify_history alike. Everything else in the
event row stays under the chain.

The links written before this migration hashed whole rows; they are re-hashed here
once, in chain order, from the event rows as they are now. Run verify_history
before migrating: a chain broken before would be sealed as it is.
"""

from django.db import migrations

PAYLOAD = """
CREATE OR REPLACE FUNCTION core_history_payload(p_table text, p_row jsonb)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v_row jsonb := p_row;
BEGIN
    IF p_table = 'guarantees_guaranteeevent' THEN
        v_row := v_row - ARRAY['buyer_email', 'buyer_name'];
    ELSIF p_table = 'disputes_claimevent' THEN
        v_row := v_row - 'description';
    ELSIF p_table = 'disputes_messageevent' AND v_row->>'party' = 'buyer' THEN
        v_row := v_row - 'body';
    END IF;
    RETURN jsonb_strip_nulls(v_row)::text;
END $$;
"""

APPEND = """
CREATE OR REPLACE FUNCTION core_history_append(
    p_table text, p_pk bigint, p_chain bigint, p_row jsonb
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_text text := core_history_payload(p_table, p_row);
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
"""

OLD_APPEND = APPEND.replace(
    "core_history_payload(p_table, p_row)", "jsonb_strip_nulls(p_row)::text"
)


def _rehash(payload: str) -> str:
    """Re-hash every link in chain order with `payload` (an SQL expression over p_table, v_row)."""
    return f"""
SET LOCAL TimeZone = 'UTC';
ALTER TABLE core_historylink DISABLE TRIGGER USER;
DO $$
DECLARE
    l record;
    v_row jsonb;
    v_chain bigint := NULL;
    v_prev text := '';
    v_hash text;
    v_pk text;
BEGIN
    FOR l IN SELECT id, chain, seq, event_table, event_pk FROM core_historylink
             ORDER BY chain, seq LOOP
        IF v_chain IS DISTINCT FROM l.chain THEN
            v_chain := l.chain;
            v_prev := '';
        END IF;
        v_pk := CASE WHEN l.event_table = 'disputes_recourseentry' THEN 'id' ELSE 'pgh_id' END;
        EXECUTE format('SELECT to_jsonb(e) FROM %I e WHERE %I = $1', l.event_table, v_pk)
            INTO v_row USING l.event_pk;
        IF v_row IS NULL THEN
            RAISE EXCEPTION 'history event %:% is missing; repair the chain first',
                l.event_table, l.event_pk;
        END IF;
        v_hash := encode(sha256(convert_to(
            v_prev || {payload.replace("p_table", "l.event_table")}, 'UTF8')), 'hex');
        UPDATE core_historylink SET prev_hash = v_prev, hash = v_hash WHERE id = l.id;
        UPDATE core_historychainhead SET prev_hash = v_prev, hash = v_hash
            WHERE chain = l.chain AND seq = l.seq;
        v_prev := v_hash;
    END LOOP;
END $$;
ALTER TABLE core_historylink ENABLE TRIGGER USER;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0002_history_chain_triggers")]

    operations = [
        migrations.RunSQL(
            PAYLOAD + APPEND + _rehash("core_history_payload(p_table, v_row)"),
            OLD_APPEND
            + _rehash("jsonb_strip_nulls(v_row)::text")
            + "DROP FUNCTION IF EXISTS core_history_payload(text, jsonb);",
        )
    ]
