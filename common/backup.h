/*
 * backup: copies of the live database and restores from them, for munictl
 * backup and restore. A copy is taken with SQLite's online backup API from
 * one read snapshot, a few pages at a time, so the gateway keeps writing
 * meanwhile (WAL: a reader never blocks a writer); it is checked with
 * integrity_check and renamed into place whole. A restore checks the file
 * first, refuses while any program has the database open, and keeps the
 * database it replaces.
 */
#ifndef MUNI_BACKUP_H
#define MUNI_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#define BACKUP_FORCE	0x01	/* backup_take: replace an existing file */

struct backup_info {
	int64_t	 pages;
	int	 page_size;
	int	 schema;	/* PRAGMA user_version */
	int	 steps;		/* backup_step calls it took */
};

/*
 * A consistent copy of the database at db into the new file dest (mode
 * 0600, as the database holds personal data). An existing dest is refused
 * unless flags has BACKUP_FORCE. 0, or -1 with *errstr set (the store's
 * static buffer: valid until the next call); dest is then untouched.
 */
int	 backup_take(const char *db, const char *dest, int flags,
	    struct backup_info *, const char **errstr);

/*
 * Is file a muni database this program can use: muni's application_id, a
 * schema that is not newer than this program's, integrity_check ok.
 * 0, or -1 with *errstr.
 */
int	 backup_check(const char *file, struct backup_info *,
	    const char **errstr);

/*
 * Put the contents of file (checked as backup_check does) into the
 * database at db, in one transaction. Refused while another connection
 * has db open (the gateway, a kiosk, another munictl); the lock taken to
 * find that out is held to the end, so none opens it meanwhile. The
 * database it replaces is kept as "db.bak-YYYYMMDDTHHMMSS", named in
 * saved (empty when db did not exist); the info is file's. 0, or -1
 * with *errstr.
 */
int	 backup_restore(const char *file, const char *db,
	    struct backup_info *, char *saved, size_t savedsize,
	    const char **errstr);

#endif
