# statement: `munictl import statement` of a generated camt.053 with
# BENCH_ENTRIES entries (default 100,000) against a demo database, on a
# fresh copy BENCH_RUNS times (default 3); prints the median wall time and
# peak RSS of the first import and of a second one (all duplicates).
# Target (issue 6, 2-core machine): <= 5 s for 100,000 entries.
#
# Entries pay demo fees (all made unpaid) by their RF reference in full,
# in part, by a reference typed into free text, or match nothing; a few
# are debits.
set -eu
n=${BENCH_ENTRIES:-100000}
runs=${BENCH_RUNS:-3}
printf '[database]\npath = %s/muni.db\n' "$(pwd)" > muni.conf
"$MUNI_BIN/munictl" -c muni.conf init > /dev/null
"$MUNI_BIN/munictl" -c muni.conf demo --residents 50000 --seed 1 > /dev/null
# All fees owed, so most credits pay a fee off and queue a receipt: the
# heavy case.
sqlite3 muni.db "UPDATE fees SET paid_cents = 0, paid_at = NULL"
cp muni.db demo.db

sqlite3 -batch -noheader -separator ' ' muni.db \
    "SELECT reference, amount_cents FROM fees ORDER BY id" > fees.txt
awk -v n="$n" '
function amt(c) { return sprintf("%d.%02d", c / 100, c % 100) }
NR == FNR { ref[NR] = $1; cents[NR] = $2; nf = NR; next }
END {
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	print "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"
	print "<BkToCstmrStmt><GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-03-16T07:00:00</CreDtTm></GrpHdr>"
	print "<Stmt><Id>BENCH-1</Id><Acct><Id><IBAN>LV89RIKO0023300000000</IBAN></Id><Ccy>EUR</Ccy></Acct>"
	for (i = 1; i <= n; i++) {
		k = (i - 1) % nf + 1; c = cents[k]; kind = i % 20
		cdi = kind == 19 ? "DBIT" : "CRDT"
		if (kind == 7) c = int(c / 2) + 1
		strd = "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>" ref[k] "</Ref></CdtrRefInf></Strd>"
		ustrd = "<Ustrd>Maksājums par nodevu</Ustrd>"
		if (kind == 11) { strd = ""; ustrd = "<Ustrd>nodoklis " ref[k] " paldies</Ustrd>" }
		if (kind == 13) { strd = ""; ustrd = "<Ustrd>ziedojums</Ustrd>" }
		printf "<Ntry><NtryRef>%d</NtryRef><Amt Ccy=\"EUR\">%s</Amt><CdtDbtInd>%s</CdtDbtInd><Sts>BOOK</Sts>", i, amt(c), cdi
		printf "<BookgDt><Dt>2026-03-15</Dt></BookgDt><ValDt><Dt>2026-03-15</Dt></ValDt><AcctSvcrRef>BENCH-%08d</AcctSvcrRef>", i
		printf "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
		printf "<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
		printf "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">%s</Amt></TxAmt></AmtDtls>", amt(c)
		printf "<RltdPties><Dbtr><Nm>Jānis Bērziņš</Nm></Dbtr><DbtrAcct><Id><IBAN>LV80BANK0000435195001</IBAN></Id></DbtrAcct></RltdPties>"
		printf "<RmtInf>%s%s</RmtInf></TxDtls></NtryDtls></Ntry>\n", ustrd, strd
	}
	print "</Stmt></BkToCstmrStmt></Document>"
}' fees.txt - < /dev/null > big.xml

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

: > w1; : > w2; : > rss
i=0
while [ "$i" -lt "$runs" ]; do
	cp demo.db muni.db
	rm -f muni.db-wal muni.db-shm
	/usr/bin/time -f '%e %M' -o t1 "$MUNI_BIN/munictl" -c muni.conf \
	    import statement big.xml > out1 2> err1 ||
	    { cat err1 >&2; echo "bench: import failed" >&2; exit 1; }
	/usr/bin/time -f '%e %M' -o t2 "$MUNI_BIN/munictl" -c muni.conf \
	    import statement big.xml > out2 2> err2 ||
	    { cat err2 >&2; echo "bench: second import failed" >&2; exit 1; }
	cut -d' ' -f1 t1 >> w1
	cut -d' ' -f1 t2 >> w2
	cut -d' ' -f2 t1 >> rss
	cut -d' ' -f2 t2 >> rss
	i=$((i + 1))
done
grep '^entries=' out1
echo "statement_entries=$n file_mb=$(($(wc -c < big.xml) / 1048576)) runs=$runs import_s_median=$(median < w1) reimport_s_median=$(median < w2) target_s=5 peak_rss_kb=$(sort -n rss | tail -1)"
