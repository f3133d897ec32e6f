# staff: personal staff accounts through the real munictl, run by real
# Unix users (useradd, runuser): root adds the first admin and then nothing
# more; roles decide who may do what; a broadcast above the threshold is
# approved by a second person and never by its creator, root, an operator,
# twice or after a cancel; a role change waits for a different approver;
# an emergency goes at once and the approvers get an SMS; weak PINs are
# refused; a disabled account acts as nobody; the audit log names who and
# from where. Messages in English, one in Latvian.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v useradd > /dev/null; then
	echo "SKIP staff: needs root and useradd to make Unix users"
	exit 0
fi
trap staff_unix_cleanup EXIT
trap 'exit 1' INT TERM
write_conf
printf '[sms]\nquiet_hours = none\n[broadcast]\napproval_threshold = 10\n' \
    >> muni.conf
export MUNI_LANG=en
ctl init > /dev/null
ctl demo --residents 300 --seed 3 > /dev/null 2>&1
ctl group add visi --rule "has_mobile" > /dev/null
mobile=$(sql "select count(*) from residents where phone_kind in (0, 2)")
[ "$mobile" -gt 10 ] || fail "the demo needs more than 10 mobiles"
for n in anna janis olga; do staff_unix "$n"; done
staff_share

# --- Bootstrap: only root, only while there is no account.
if as_user "$u_olga" staff add olga --role admin > o 2> e; then
	fail "a Unix user without an account added the first admin"; fi
expect_grep "has no staff account: once accounts exist only an admin manages them" e
ctl staff add anna --role admin --unix "$u_anna" --display "Anna Ozola" \
    --birth 1975-11-16 > a1
expect_grep '^staff=anna id=1 role=admin$' a1
if ctl staff add ivars --role admin > o 2> e; then
	fail "root added a second account"; fi
expect_grep "^munictl staff add: root has no staff account: once accounts exist only an admin manages them\$" e
# Nobody else can approve yet: janis is an approver at once.
as_user "$u_anna" staff add janis --role approver --unix "$u_janis" \
    --phone 29111111 > j1
expect_grep '^staff=janis id=2 role=approver$' j1
as_user "$u_anna" staff add olga --role operator --unix "$u_olga" > /dev/null
expect_eq "accounts" "$(sql "select count(*) from staff")" 3

# --- PINs: typed twice, weak ones refused.
printf '402917\n402918\n' | as_user "$u_anna" staff pin anna > o 2> e && fail "two different PINs"
expect_grep "the two PINs differ: nothing was changed" e
printf '161175\n161175\n' | as_user "$u_anna" staff pin anna > o 2> e && fail "a birth date PIN"
expect_grep "a PIN must not contain your birth date" e
printf '123456\n123456\n' | as_user "$u_anna" staff pin anna > o 2> e && fail "a run PIN"
printf '111111\n111111\n' | as_user "$u_anna" staff pin anna > o 2> e && fail "a one-digit PIN"
expect_eq "no PIN yet" "$(sql "select count(*) from staff where pin_hash is not null")" 0
printf '402917\n402917\n' | as_user "$u_anna" staff pin anna > p1
expect_grep '^staff=anna pin=set$' p1
printf '518274\n518274\n' | as_user "$u_olga" staff pin janis > o 2> e && fail "olga set janis's PIN"
expect_grep "olga is operator: managing staff needs the admin role" e
# The old shared-PIN hash still works without a name.
case $(printf '4321\n' | ctl staff pin) in '$y$'*) ;; *) fail "staff pin without NAME";; esac

# --- Four eyes on a broadcast.
as_user "$u_anna" broadcast send --group visi --text "Ūdens atslēgšana" \
    --topic pii --yes > b1
bid=$(sed -n 's/^broadcast=//p' b1)
expect_grep '^broadcast_state=awaiting_approval$' b1
expect_eq "created_by" "$(sql "select created_by from broadcasts where id = $bid")" anna
if as_user "$u_anna" broadcast approve "$bid" > o 2> e; then
	fail "anna approved her own broadcast"; fi
expect_grep "anna created broadcast $bid: a different staff member must approve it" e
if MUNI_LANG=lv as_user "$u_anna" broadcast approve "$bid" > o 2> e; then
	fail "anna approved her own broadcast"; fi
expect_grep "anna izveidoja izsūtīšanu $bid: tā jāapstiprina citam darbiniekam" e
if ctl broadcast approve "$bid" > o 2> e; then fail "root approved"; fi
expect_grep "root has no staff account: approvals come only from staff accounts" e
if as_user "$u_olga" broadcast approve "$bid" > o 2> e; then
	fail "an operator approved"; fi
expect_grep "olga is an operator: approving needs the approver role" e
if as_user "$u_anna" broadcast approve "$bid" --as janis > o 2> e; then
	fail "anna approved as janis"; fi
expect_grep "an approval is always made as yourself" e
expect_eq "still held" "$(sql "select count(*) from outbox where broadcast_id = $bid")" 0
as_user "$u_janis" broadcast approve "$bid" > ap
expect_grep '^approved_by=janis$' ap
expect_grep "^messages=$mobile\$" ap
ctl broadcast status "$bid" > st
expect_grep '^approved_by=janis$' st
expect_grep '^created_by=anna$' st
if as_user "$u_janis" broadcast approve "$bid" > o 2> e; then
	fail "approved twice"; fi
expect_grep "broadcast $bid is approved already (by janis)" e
expect_eq "queued once" "$(sql "select count(*) from outbox where broadcast_id = $bid")" "$mobile"
# A cancelled one: nothing to approve.
as_user "$u_olga" broadcast send --group visi --text "Tirgus" --topic pii \
    --yes > b2
cid=$(sed -n 's/^broadcast=//p' b2)
as_user "$u_olga" broadcast cancel "$cid" > /dev/null
if as_user "$u_janis" broadcast approve "$cid" > o 2> e; then
	fail "a cancelled broadcast was approved"; fi
expect_grep "broadcast $cid was cancelled: there is nothing to approve" e
expect_eq "cancelled" "$(sql "select state || ':' || coalesce(approved_by, '-') from broadcasts where id = $cid")" "cancelled:-"

# --- An emergency is never held; the approvers hear of it.
as_user "$u_olga" broadcast send --group visi --text "Vētra: palieciet mājās" \
    --emergency --yes > em
expect_grep '^broadcast_state=scheduled$' em
eid=$(sed -n 's/^broadcast=//p' em)
expect_eq "notice to janis" "$(sql "select count(*) from outbox where phone = '+37129111111' and text like '%$eid%olga%$mobile%'")" 1

# --- --as: an admin's only, and the row names both.
if as_user "$u_olga" broadcast cancel "$bid" --as anna > o 2> e; then
	fail "an operator used --as"; fi
expect_grep "only an admin may act as someone else (--as); olga is not one" e

# --- Role changes wait for a different approver.
as_user "$u_anna" staff set olga --role approver > r1
expect_grep '^staff=olga role_pending=approver$' r1
expect_eq "still an operator" "$(sql "select role from staff where name = 'olga'")" operator
if as_user "$u_anna" staff approve olga > o 2> e; then
	fail "anna approved her own request"; fi
expect_grep "anna cannot approve what they asked for themself" e
if as_user "$u_olga" staff approve olga > o 2> e; then
	fail "olga approved her own promotion"; fi
as_user "$u_janis" staff approve olga > r2
expect_grep '^staff=olga role=approver approved_by=janis$' r2

# --- A disabled account acts as nobody.
as_user "$u_anna" staff disable olga > /dev/null
if as_user "$u_olga" broadcast send --group visi --text x --topic pii \
    --yes > o 2> e; then fail "a disabled account sent"; fi
expect_grep "staff account olga (Unix user $u_olga) is disabled" e
if as_user "$u_anna" staff disable nobody > o 2> e; then
	fail "an unknown account was disabled"; fi
expect_grep "no staff account 'nobody'" e

# --- The audit log: who, from where, what.
ctl audit --who janis > au
expect_grep "	janis	unix:$u_janis	broadcast approve	broadcast=$bid " au
expect_grep "	janis	unix:$u_janis	staff role approve	staff=olga role=approver requested_by=anna" au
ctl audit --since 2000-01-01 > all
expect_grep "	root	unix:root	staff add	staff=anna id=1 unix=$u_anna" all
expect_grep "	anna	unix:$u_anna	broadcast send	broadcast=$bid " all
if ctl audit --since 1.1.2000 > o 2> e; then fail "a bad --since"; fi
expect_grep "a date as YYYY-MM-DD" e
ctl staff list > sl
expect_grep "^id=3 staff=olga role=approver unix=$u_olga pin=none phone=no disabled=1 " sl
expect_grep "^staff_accounts=3\$" sl
echo "staff: bootstrap, roles, four eyes, emergency notice, PINs, audit"
