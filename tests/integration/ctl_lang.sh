#!/bin/sh
# ctl_lang: munictl speaks the catalogue's language to people, Latvian by
# default and English with MUNI_LANG=en: the usage lines, an unknown
# command (also of a subcommand), a configuration error and an errno text
# wrapped in a sentence (found: all of them in English whatever the
# language). key=value lines that scripts read stay as they are, and the
# human text of `pay qr` writes amounts as 37,50 € in Latvian.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

write_conf
unset MUNI_LANG

# An unknown command: the word, in the language, and the usage after it.
if ctl frobnicate > /dev/null 2> e_lv; then fail "an unknown command succeeded"; fi
expect_grep "^munictl: nezināma komanda 'frobnicate'\$" e_lv
expect_grep '^lietošana: munictl \[-h\] \[-c fails\] komanda \[argumenti\]$' e_lv
expect_grep '^komandas:$' e_lv
expect_no_grep 'unknown command' e_lv
if MUNI_LANG=en ctl frobnicate > /dev/null 2> e_en; then fail "an unknown command succeeded (en)"; fi
expect_grep "^munictl: unknown command 'frobnicate'\$" e_en
expect_grep '^usage: munictl \[-h\] \[-c file\] command \[args\]$' e_en

# A subcommand's: the same words, its usage lines aligned under the first.
if ctl sms frob > /dev/null 2> s_lv; then fail "sms frob succeeded"; fi
expect_grep "^munictl sms: nezināma komanda 'frob'\$" s_lv
if ctl sms > /dev/null 2> u_lv; then fail "sms without a command succeeded"; fi
expect_grep '^lietošana: munictl sms preview ' u_lv
expect_grep '^           munictl sms status ID$' u_lv
if MUNI_LANG=en ctl sms > /dev/null 2> u_en; then fail "sms (en) succeeded"; fi
expect_grep '^usage: munictl sms preview ' u_en
expect_grep '^       munictl sms status ID$' u_en

# A configuration error: file:line, the key, what is wrong, in Latvian.
printf '[sms]\nmax_segmnts = 3\n[kiosk]\nidle_timeout_s = 2\n[nowhere]\n' > bad.conf
if "$MUNI_BIN/munictl" -c bad.conf init > /dev/null 2> c_lv; then fail "a bad config was taken"; fi
expect_grep "^bad.conf:2: nezināma atslēga 'max_segmnts' sadaļā \[sms\] (vai domājāt 'max_segments'?)\$" c_lv
expect_grep '^bad.conf:4: kiosk.idle_timeout_s: .*(atļauts 5–3600)$' c_lv
expect_grep '^bad.conf:5: nezināma sadaļa \[nowhere\]$' c_lv
if MUNI_LANG=en "$MUNI_BIN/munictl" -c bad.conf init > /dev/null 2> c_en; then fail "a bad config was taken (en)"; fi
expect_grep "^bad.conf:2: unknown key 'max_segmnts' in \[sms\] (did you mean 'max_segments'?)\$" c_en
expect_grep '^bad.conf:5: unknown section \[nowhere\]$' c_en

# init speaks to people, then gives its figures as key=value; it names the
# database: the file, or PostgreSQL's URL.
db=muni.db
pg_mode && db="/$(pg_dbname muni)?"
ctl init > init_lv
expect_grep "^datubāze .*$db.* izveidota\$" init_lv
expect_grep '^schema=[0-9][0-9]*$' init_lv
MUNI_LANG=en ctl init > init_en
expect_grep "^database .*$db.* is up to date\$" init_en

# An errno text in a Latvian sentence: pay qr --svg into a missing
# directory (a demo fee to pay).
ctl demo --residents 50 --seed 3 > /dev/null
fee=$(sql "select id from fees where paid_cents < amount_cents order by id limit 1")
[ -n "$fee" ] || fail "the demo has no unpaid fee"
if ctl pay qr --svg nowhere/x.svg "$fee" > qr.out 2> q_lv; then fail "an SVG into nowhere"; fi
expect_grep '^munictl pay qr: nevar ierakstīt nowhere/x.svg: ' q_lv
if MUNI_LANG=en ctl pay qr --svg nowhere/x.svg "$fee" > qr_en.out 2> q_en; then fail "an SVG into nowhere (en)"; fi
expect_grep '^munictl pay qr: cannot write nowhere/x.svg: ' q_en
# The amount under the code: 37,50 € in Latvian, 37.50 EUR in English.
owed=$(sql "select amount_cents - paid_cents from fees where id = $fee")
amount=$(printf '%d,%02d' $((owed / 100)) $((owed % 100)))
expect_grep "^Summa: $amount €\$" qr.out
expect_grep "^Amount: $(echo "$amount" | tr , .) EUR\$" qr_en.out
echo "ctl_lang: munictl in Latvian and English"
