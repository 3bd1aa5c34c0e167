from django.db import migrations

# The keys of an order's search text (see orders.selectors.order_search): for every word of
# search_text (split at white space and ASCII punctuation, as WORD_BREAK), its first letter,
# its first two letters and each of its trigrams, as one tsvector. A word of one or two
# letters typed in the search box is then one exact key ("ha": some word starts with "ha"),
# a longer one the keys of its trigrams, all looked up in one GIN scan without a prefix
# (partial) match. The function and WORD_BREAK must stay the same as the selector's.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION orders_search_keys(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
  SELECT array_to_tsvector(coalesce(array_agg(DISTINCT k), '{}'::text[]))
  FROM regexp_split_to_table(t, '[\s!-/:-@\[-`{-~]+') AS w,
  LATERAL (
    SELECT left(w, 1) UNION ALL SELECT left(w, 2) WHERE length(w) >= 2
    UNION ALL SELECT substr(w, i, 3) FROM generate_series(1, length(w) - 2) AS i
  ) AS keys(k)
  WHERE w <> ''
$$
"""
CREATE = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_order_search_keys ON orders_order "
    "USING gin (orders_search_keys(search_text))"
)
# Replaced by the keys: the trigrams of search_text (0002) and its words (0016).
DROP_OLD = (
    "DROP INDEX CONCURRENTLY IF EXISTS orders_order_search_trgm",
    "DROP INDEX CONCURRENTLY IF EXISTS orders_order_search_words",
)
RESTORE_OLD = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_order_search_trgm ON orders_order "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_order_search_words ON orders_order "
    "USING gin ((array_to_tsvector(array_remove(regexp_split_to_array("
    "search_text, '[\\s!-/:-@\\[-`{-~]+'), ''))))",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(CREATE)
        for statement in DROP_OLD:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in RESTORE_OLD:
            schema_editor.execute(statement)
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS orders_order_search_keys")
        schema_editor.execute("DROP FUNCTION IF EXISTS orders_search_keys(text)")


class Migration(migrations.Migration):
    """One GIN index on the search keys of Order.search_text (first letters and trigrams of
    its words) instead of the trigram and the words indexes: a name of short, common words
    ("Vũ Ngọc Vy", "Bùi Hữu Hà") is one exact lookup of a few keys (PostgreSQL only; built
    concurrently: the orders table is big and live)."""

    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("orders", "0017_report_bounds")]

    operations = [migrations.RunPython(create, drop)]
