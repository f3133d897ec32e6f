# install_lib.sh: `make install` from an integration script (sourced after
# lib.sh, not run): the same build the tests run on (build/release, or
# build/san under SANITIZE=1), already up to date, so nothing recompiles.

# muni_install MAKE-VARIABLES...: make install with them; the output in
# install.log.
muni_install() {
	_build=${MUNI_BIN%/bin}
	_build=${_build#"$MUNI_TOP"/}
	case $_build in *san*) _san=1;; *) _san=;; esac
	make -s --no-print-directory -C "$MUNI_TOP" BUILD="$_build" \
	    SANITIZE="$_san" "$@" >> install.log 2>&1 ||
	    { cat install.log; fail "make $*"; }
}
