dnl TA_REQUIRE_LIB(VAR, PKG-MODULES, LIB, FUNCTION, OTHER-LIBS, DEBIAN-PACKAGE)
dnl Sets VAR_CFLAGS and VAR_LIBS from pkg-config; where no .pc file exists,
dnl falls back to linking -lLIB directly; otherwise stops with the package to install.
AC_DEFUN([TA_REQUIRE_LIB], [
	PKG_CHECK_MODULES([$1], [$2], [], [
		AC_CHECK_LIB([$3], [$4],
			[$1_CFLAGS=""; $1_LIBS="-l$3 $5"],
			[AC_MSG_ERROR([$2 not found (neither pkg-config nor -l$3 works): apt-get install $6])],
			[$5])
	])
	AC_SUBST([$1_CFLAGS])
	AC_SUBST([$1_LIBS])
])
