# catalogue: Latvian is the default everywhere, so every message the
# sources mark for translation has a Latvian translation that is neither
# missing nor fuzzy, and the catalogue compiles with its format checks
# (a %s against a %d would print garbage or crash).
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

for t in xgettext msgmerge msgattrib msgfmt; do
	command -v "$t" > /dev/null || fail "$t missing (package gettext: make deps)"
done
(cd "$MUNI_TOP" && xgettext --from-code=UTF-8 -k_ -kN_ --add-location=file \
    -o "$OLDPWD/muni.pot" common/*.c smsgw/*.c kiosk/*.c)
msgmerge -q --no-fuzzy-matching -o merged.po "$MUNI_TOP/common/po/lv.po" muni.pot
msgattrib --untranslated --no-obsolete merged.po > untranslated.po
msgattrib --only-fuzzy --no-obsolete merged.po > fuzzy.po
n=$(grep -c '^msgid ' untranslated.po || :)
# The header is an empty msgid in any non-empty output.
[ "${n:-0}" -le 1 ] || { cat untranslated.po >&2; fail "$((n - 1)) messages have no Latvian translation"; }
n=$(grep -c '^msgid ' fuzzy.po || :)
[ "${n:-0}" -le 1 ] || { cat fuzzy.po >&2; fail "$((n - 1)) Latvian translations are fuzzy"; }
msgfmt --check -o /dev/null "$MUNI_TOP/common/po/lv.po" ||
    fail "the Latvian catalogue does not compile"
echo "catalogue: $(grep -c '^msgid ' muni.pot) messages, all in Latvian"
