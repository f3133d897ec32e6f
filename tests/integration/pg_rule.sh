#!/bin/sh
# pg_rule: the group-rule compiler's PostgreSQL text (rule_sql with
# STORE_POSTGRES) gives exactly the rows SQLite's gives, for every field,
# operator and precedence of the language and for rules full of quotes,
# semicolons and "--" (test_rule's SQL-injection rules): the count, the
# members and the members in one run, with the broadcast columns off and
# on. tests/integration/pg_rule.c runs each on both engines over the same
# residents, SQLite's through the store, PostgreSQL's through libpq.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/pgschemalib.sh"

url=$(pg_schema_db r)

pg_link pg_rule

cat > rules.txt <<'EOF'
territory = 'Dobele'
territory != 'Dobele'
territory IN ('Dobele', 'Bēnes pagasts')
territory NOT IN ('Dobele')
territory = 'dobele'
lang in ('en', 'ru')
age >= 65
age > 64
age < 65
age <= 18
age = 64
age != 64
age IN (18, 26)
age NOT IN (18, 26)
has_mobile
has_mobile = false
has_mobile <> 1
child_in_queue
child_in_queue = FALSE
queue_institution = 'Dobeles PII "Zīlīte"'
queue_institution != 'Dobeles PII "Zīlīte"'
queue_institution IN ('Auces PII "Pasaciņa"')
queue_institution NOT IN ('Auces PII "Pasaciņa"')
dog_owner
dog_owner = 0
fee_unpaid(nin)
fee_unpaid('dog')
fee_overdue("nin")
fee_overdue(dog)
fee_unpaid(nin) = FALSE
subscribed(kultura)
subscribed(nodokli)
subscribed('arkartas')
subscribed(nosuchtopic)
NOT subscribed(nosuchtopic)
subscribed(kultura) = FALSE
Territory = 'Dobele' and not LANG = 'ru' Or AGE = 18
lang = 'ru' OR lang = 'en' AND territory = 'Dobele'
territory = 'Dobele' AND (age > 70 OR lang = 'en')
NOT (lang = 'lv' AND has_mobile)
NOT NOT has_mobile
age >= 65 OR NOT age >= 65
territory = 'O''Brien; DROP TABLE residents; --'
territory = "O'Brien; DROP TABLE residents; --"
territory = 'x''); DELETE FROM residents; --'
territory IN ('a'' OR 1=1 --', """ OR ""1""=""1")
lang = '--' OR lang = ';' OR lang = '/*'
fee_unpaid('nin''; DROP TABLE fees; --')
subscribed("x""); DELETE FROM topics; --")
queue_institution != '$1'' OR TRUE; --'
territory = 'Rīga ; -- ''"'' "" ;; --'
EOF
nrules=$(grep -c . rules.txt)
./pg_rule rules.db "$url" < rules.txt > pg_rule.out 2>pg_rule.log ||
    { grep -A2 -E 'DIFFER|refuses|differences' pg_rule.out >&2;
    cat pg_rule.log >&2; fail "the dialects differ"; }
expect_grep "^$nrules rules, 0 differences$" pg_rule.out

# Not only equal but right (test_rule's answers for SQLite).
row() {
	awk -F '\t' -v r="$1" -v q="$2" '$1 == r && $2 == q { print $3 }' \
	    pg_rule.out
}
expect_eq "age >= 65" "$(row 'age >= 65' count)" "2;"
expect_eq "the hostile name" "$(row "territory = 'O''Brien; DROP TABLE residents; --'" members | cut -d'|' -f1)" "4"
expect_eq "subscribed(nodokli)" "$(row 'subscribed(nodokli)' count)" "5;"
expect_eq "a \$1 in a value" "$(row "queue_institution != '\$1'' OR TRUE; --'" count)" "6;"
# The tables are still whole on PostgreSQL.
expect_eq "residents" "$(pg r -c 'SELECT count(*) FROM residents')" 6
expect_eq "fees" "$(pg r -c 'SELECT count(*) FROM fees')" 4
expect_eq "topics" "$(pg r -c 'SELECT count(*) FROM topics')" 3

echo "pg_rule: $nrules rules, each statement the same on both dialects"
