#!/bin/sh
# zz_privacy: no personal code in any log or any SMS of the integration
# run. tests/run.sh keeps what every integration script leaves — daemons'
# logs (*.err, *.log, *.out), the simulator's record of every SMS it took
# (submit.log) and handed on (deliver.log) — under $MUNI_ARTIFACTS/logs/
# SCRIPT/, and every personal code of the databases they made under
# $MUNI_ARTIFACTS/codes/SCRIPT; this script sorts last and greps it all:
# for those codes, dashed or not, and for anything shaped like one (old
# form DDMMYY-CNNNN with a valid check digit, new form 3[2-9]NNNN-NNNNN).
# Every hit is printed as file:line with the code masked. A code a script
# typed into an MO itself (gwlib.sh privacy_typed) may appear in that
# script's deliver.log and nowhere else. The check proves itself first:
# planted codes are found, look-alikes (phones, IBANs, RF references, case
# numbers, a bad check digit) are not, and the artifacts are not empty.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

A=${MUNI_ARTIFACTS:-}
[ -n "$A" ] && [ -d "$A/logs" ] ||
    fail "no artifacts: run it last through 'tests/run.sh BUILD integration'"

# scan CODES LOGS: every hit in the files LOGS/SCRIPT/FILE against the
# codes in the files CODES/*, as "SCRIPT/FILE:LINE: masked (why)"; exit 1
# when there is one. Stats on stderr.
cat > scan.pl <<'PERL'
use strict; use warnings;
my ($codes, $logs) = @ARGV;
my %code;
for my $f (glob "$codes/*") {
	open my $fh, '<', $f or die "$f: $!";
	while (<$fh>) { chomp; s/-//; $code{$_} = 1 if /^\d{11}$/ }
}
# The checksum of an old-form code: (1101 - sum w_i d_i) mod 11, not 10.
sub old_valid {
	my @d = split //, shift;
	my @w = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
	my $s = 0; $s += $w[$_] * $d[$_] for 0 .. 9;
	my $c = (1101 - $s) % 11;
	my ($dd, $mm) = (10 * $d[0] + $d[1], 10 * $d[2] + $d[3]);
	return $c != 10 && $c == $d[10] && $dd >= 1 && $dd <= 31 &&
	    $mm >= 1 && $mm <= 12 && $d[6] <= 2;
}
sub mask { my $c = shift; substr($c, 0, 2) . ('*' x 4) . '-' . ('*' x 5) }
my ($files, $lines, $hits, $typed_ok) = (0, 0, 0, 0);
for my $dir (sort glob "$logs/*") {
	next unless -d $dir;
	my $script = (split m{/}, $dir)[-1];
	my %typed;
	if (open my $t, '<', "$dir/typed-codes") {
		while (<$t>) { chomp; s/-//; $typed{$_} = 1 }
	}
	for my $f (sort glob "$dir/*") {
		my $base = (split m{/}, $f)[-1];
		next if $base eq 'typed-codes' || -z $f;
		open my $fh, '<', $f or die "$f: $!";
		$files++;
		while (my $l = <$fh>) {
			$lines++;
			# Hex dumps (text_hex=, message ids) are the text
			# again, encoded: their digits are no code.
			$l =~ s/\b(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b/<hex>/g;
			# Digit runs of 11, or 6 and 5 around a dash; not the
			# digits of an IBAN or RF reference (two letters before).
			while ($l =~ /(?<![0-9])(?<![A-Z]{2})([0-9]{6})(-?)([0-9]{5})(?![0-9])/g) {
				my ($n, $dash) = ("$1$3", $2);
				my $why;
				if ($code{$n}) { $why = "a code of the demo data" }
				elsif (old_valid($n)) { $why = "an old-form code" }
				elsif ($n =~ /^3[2-9]/ && ($dash ||
				    $n !~ /^371[2-9]/)) {
					# Undashed 371[2-9]... is a phone number.
					$why = "a new-form code";
				}
				next unless $why;
				if ($typed{$n} && $base =~ /deliver\.log$/) {
					$typed_ok++;
					next;
				}
				print "$script/$base:$.: ", mask($n), " ($why)\n";
				$hits++;
			}
		}
	}
}
printf STDERR "%d files, %d lines, %d codes known, %d typed codes in MO " .
    "records, %d hits\n", $files, $lines, scalar(keys %code), $typed_ok,
    $hits;
exit($hits ? 1 : 0);
PERL

# --- 1. The artifacts are there and not empty.
nscripts=$(find "$A/logs" -mindepth 1 -maxdepth 1 -type d | wc -l)
nfiles=$(find "$A/logs" -type f -size +0 ! -name typed-codes | wc -l)
ncodes=$(cat "$A"/codes/* 2>/dev/null | sort -u | wc -l)
echo "artifacts: $nscripts scripts, $nfiles files, $ncodes personal codes"
[ "$nscripts" -ge 5 ] || fail "artifacts of only $nscripts scripts"
[ "$nfiles" -ge 15 ] || fail "only $nfiles artifact files"
[ "$ncodes" -ge 3000 ] || fail "only $ncodes personal codes to look for"
# The scripts that run the gateway against the simulator left both logs,
# with the SMS in them (any of them that ran: a run of one part may not).
for s in services keywords ussd gateway; do
	d=$A/logs/$s
	[ -d "$d" ] || fail "no artifacts of $s"
	for f in gw.err submit.log deliver.log; do
		[ -s "$d/$f" ] || fail "$s left no $f"
	done
done
nsub=$(cat "$A"/logs/*/submit.log | grep -c '^submit ')
nmo=$(cat "$A"/logs/*/deliver.log | grep -c '^deliver ')
echo "SMS on record: $nsub submitted, $nmo handed on"
[ "$nsub" -ge 5000 ] || fail "only $nsub submits on record"
[ "$nmo" -ge 500 ] || fail "only $nmo MO/USSD on record"

# --- 2. The scan finds what is planted, and nothing in look-alikes.
mkdir -p plant/codes plant/logs/one plant/logs/two
demo=$(cat "$A"/codes/* | head -n 1)
echo "$demo" > plant/codes/x
# A valid old-form code, a new-form one, a demo code with and without its
# dash, in a copy of a real log; each on its own line.
cp "$A/logs/services/gw.err" plant/logs/one/gw.err
base=$(wc -l < plant/logs/one/gw.err)
{
	echo "info: resident 161175-19997 asked"
	echo "text=kods 329999-12345 ok"
	echo "x $demo y"
	echo "z$(echo "$demo" | tr -d -)."
	echo "old undashed 16117519997"
} >> plant/logs/one/gw.err
# Look-alikes: a bad check digit, phone numbers with and without +,
# an IBAN, RF references, case numbers, dates, masked codes, message ids,
# a hex dump with a run of 11 digits (32205061796) inside.
cat > plant/logs/two/submit.log <<'EOF'
bad check digit 161175-19998 and 161175-1999
phone +37129990002 and 37129990002 and 0037126123456
LV89RIKO0023300000000 RF18539007547034 RF370000000182
P-2026-000001 I-2026-000123 at 2026-11-28 05:10:10
******-***** and *********** and id=0000001b seq=2487
text_hex=31205072657363686f6f6c2071756575650a32205061796d656e74730a33204e6f74
EOF
# A typed code: allowed in deliver.log, not in gw.err.
echo 161175-19997 > plant/logs/two/typed-codes
echo "deliver src=+37120000001 dst=505 text=POLICIJA 161175-19997" \
    > plant/logs/two/deliver.log
if perl scan.pl plant/codes plant/logs > hits 2> stats; then
	fail "planted codes not found: $(cat stats)"
fi
cat hits
for n in 1 2 3 4 5; do
	grep -q "^one/gw.err:$((base + n)): " hits ||
	    fail "planted line $((base + n)) not reported"
done
expect_eq "planted hits" "$(wc -l < hits)" 5
if grep -q '^two/' hits; then fail "a look-alike reported"; fi
grep -q ', 1 typed codes in MO records' stats || fail "typed code: $(cat stats)"
if grep -qF -e "$demo" -e 161175-19997 -e 329999 hits; then
	fail "a hit printed unmasked"; fi
# The same typed code outside deliver.log is a hit.
cp plant/logs/two/deliver.log plant/logs/two/gw.err
if perl scan.pl plant/codes plant/logs 2>/dev/null | grep -q '^two/gw.err:1: '
then :; else fail "a typed code outside deliver.log not reported"; fi

# --- 3. The real scan.
if ! perl scan.pl "$A/codes" "$A/logs" > hits 2> stats; then
	cat stats
	echo "personal codes in logs or SMS (file:line):"
	head -n 50 hits
	fail "$(wc -l < hits) personal codes in the artifacts"
fi
cat stats
grep -q ' 0 hits$' stats || fail "scan: $(cat stats)"
# keywords.sh types a code into a police report: seen in its MO record.
if [ -d "$A/logs/keywords" ]; then
	grep -q ' [1-9][0-9]* typed codes in MO records' stats ||
	    fail "the typed code of keywords.sh is not in its deliver.log"
fi
echo "zz_privacy: ok"
