# pay: the loop of issue 6 through the real munictl. A demo fee's QR code,
# drawn light on dark as `munictl pay qr` prints it, scans (zbarimg) to
# exactly the bytes of `munictl pay epc`; every unpaid demo fee's payload
# fits the kiosk's 80x24 screen; a bank statement that pays the fee books
# it once, queues the receipt and keeps the unknown credit for staff.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
command -v zbarimg >/dev/null || fail "zbarimg missing: zbar-tools"

write_conf
cat >> muni.conf <<'CONF'
[payments]
beneficiary = Dobeles novada pašvaldība
short_name = Dobeles novads
iban = LV89 RIKO 0023 3000 0000 0
CONF
ctl init >/dev/null
ctl demo --residents 500 --seed 3 >/dev/null

# An unpaid fee of a resident who will get the receipt by SMS.
fee=$(sql "SELECT f.id FROM fees f JOIN residents r ON r.id = f.resident_id
    WHERE f.paid_cents < f.amount_cents AND r.phone_kind = 0
    AND NOT EXISTS (SELECT 1 FROM subscriptions s JOIN topics t
      ON t.id = s.topic_id WHERE s.resident_id = r.id
      AND t.code = 'receipts' AND s.subscribed = 0)
    ORDER BY f.id LIMIT 1")
[ -n "$fee" ] || fail "the demo has no unpaid fee"
ref=$(sql "SELECT reference FROM fees WHERE id = $fee")
cents=$(sql "SELECT amount_cents - paid_cents FROM fees WHERE id = $fee")
amount=$(awk -v c="$cents" 'BEGIN { printf "%d.%02d", c / 100, c % 100 }')

ctl pay epc "$fee" > epc.bin
printf 'BCD\n002\n1\nSCT\n\nDobeles novads\nLV89RIKO0023300000000\nEUR%s\n\n%s' \
    "$amount" "$ref" > want.bin
cmp epc.bin want.bin || fail "pay epc: not the short payload"
ctl pay epc "$ref" | cmp epc.bin - || fail "pay epc by reference differs"
ctl pay epc "$(echo "$ref" | tr 'A-Z' 'a-z')" | cmp epc.bin - ||
    fail "pay epc by lower-case reference differs"

# The terminal QR scans as the payload, byte for byte; inverted it does not.
ctl pay qr "$fee" > qr.out
qr_rows qr.out > qr.txt
rows=$(wc -l < qr.txt)
cols=$(LC_ALL=C sed -e 's/█/F/g' -e 's/▀/U/g' -e 's/▄/L/g' qr.txt |
    LC_ALL=C awk '{ if (length($0) > c) c = length($0) } END { print c }')
[ "$rows" -ge 21 ] && [ "$rows" -le 24 ] && [ "$cols" -le 80 ] ||
    fail "pay qr: the code is ${cols}x$rows, not within 80x24"
qr_text_to_pgm qr.txt 0 > qr.pgm
qr_decode qr.pgm > scanned.bin || fail "pay qr: the code does not scan"
cmp epc.bin scanned.bin || fail "pay qr: scanned bytes differ from pay epc"
qr_text_to_pgm qr.txt 1 > inverted.pgm
if qr_decode inverted.pgm >/dev/null; then fail "an inverted code scanned"; fi
# Under it, as text: full name, grouped IBAN, amount, reference.
expect_grep 'Dobeles novada pašvaldība' qr.out
expect_grep 'LV89 RIKO 0023 3000 0000 0' qr.out
# The amount as people read it in Latvian (12.34 -> 12,34 €), and the
# short name the code carries named as such.
expect_grep "$(echo "$amount" | tr . ,) €\$" qr.out
expect_grep '^Saņēmējs kodā: Dobeles novads$' qr.out
expect_grep "$ref\$" qr.out

# --full: the full name and nothing cut; --svg: a printable file.
ctl pay epc --full "$fee" > full.bin
expect_grep '^Dobeles novada pašvaldība$' full.bin "pay epc --full"
ctl pay qr --svg code.svg "$fee" > /dev/null
expect_grep '<svg' code.svg

# Every unpaid demo fee fits the kiosk's screen (≤ 84 bytes: version 5).
n=0
for f in $(sql "SELECT id FROM fees WHERE paid_cents < amount_cents"); do
	len=$(ctl pay epc "$f" | wc -c)
	[ "$len" -le 84 ] || fail "fee $f: payload of $len bytes"
	n=$((n + 1))
done
[ "$n" -ge 100 ] || fail "only $n unpaid fees checked"

# A paid fee and an unknown one: exit 1, nothing on stdout.
paid=$(sql "SELECT id FROM fees WHERE paid_cents >= amount_cents LIMIT 1")
if ctl pay epc "$paid" > out 2> err; then fail "paid fee accepted"; fi
[ ! -s out ] || fail "pay epc of a paid fee printed a payload"
expect_grep "$paid" err
if ctl pay qr 999999 > out 2> err; then fail "unknown fee accepted"; fi
[ ! -s out ] || fail "pay qr of an unknown fee printed something"

# The bank statement: the fee paid, one credit nobody can place.
cat > stmt.xml <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>PAY-1</MsgId><CreDtTm>2026-03-16T07:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>STMT-PAY-1</Id>
   <Acct><Id><IBAN>LV89RIKO0023300000000</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Ntry>
    <Amt Ccy="EUR">$amount</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-15</Dt></BookgDt>
    <AcctSvcrRef>PAY-A1</AcctSvcrRef>
    <NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>Jānis Bērziņš</Nm></Dbtr></RltdPties>
     <RmtInf><Strd><CdtrRefInf><Ref>$ref</Ref></CdtrRefInf></Strd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">4.20</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-15</Dt></BookgDt>
    <AcctSvcrRef>PAY-A2</AcctSvcrRef>
    <NtryDtls><TxDtls>
     <RmtInf><Ustrd>par ko? 161175-19997</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
XML
rid=$(sql "SELECT resident_id FROM fees WHERE id = $fee")
ctl import statement stmt.xml > imp1
expect_grep '^document=camt.053.001.02$' imp1
expect_grep '^entries=2 matched=1 partial=0 over=0 unmatched=1 duplicates=0 ' imp1
expect_grep ' receipts=1$' imp1
expect_eq "fee paid" "$(sql "SELECT CASE WHEN paid_cents >= amount_cents THEN 1 ELSE 0 END FROM fees WHERE id = $fee")" 1
expect_eq "receipt" "$(sql "SELECT count(*) FROM outbox WHERE topic = 'receipts'
    AND resident_id = $rid AND state = 'queued' AND text LIKE '%$ref%'")" 1
ctl import statement stmt.xml > imp2
expect_grep '^entries=2 matched=0 partial=0 over=0 unmatched=0 duplicates=2 ' imp2
expect_eq "payments once" "$(sql 'SELECT count(*) FROM payments')" 2
expect_eq "one receipt" "$(sql "SELECT count(*) FROM outbox WHERE topic = 'receipts'")" 1
if ctl pay epc "$fee" > out 2> err; then fail "pay epc of a fee just paid"; fi

ctl report payments --unmatched > unm
expect_grep '^unmatched=1$' unm
expect_grep 'EUR 4.20' unm
expect_no_grep '161175-19997' unm "personal code in the report"
ctl report payments > rep
expect_grep '^payments=2 matched=1 partial=0 over=0 unmatched=1$' rep

# Malformed: refused with FILE:LINE, nothing booked.
sed 's#</Stmt>#</Statement>#' stmt.xml | sed 's/PAY-A/PAY-B/' > bad.xml
if ctl import statement bad.xml > out 2> err; then fail "malformed accepted"; fi
expect_grep '^munictl: bad.xml:[0-9][0-9]*: ' err
expect_eq "nothing booked" "$(sql 'SELECT count(*) FROM payments')" 2
sed 's/camt.053.001.02/camt.053.001.09/' stmt.xml > v9.xml
if ctl import statement v9.xml > out 2> err; then fail "version 9 accepted"; fi
expect_grep '001.09' err
echo "fee $fee scanned as its payload; $n unpaid fees fit 80x24"
