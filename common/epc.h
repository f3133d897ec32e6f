/*
 * epc: EPC QR payloads (EPC069-12, "SEPA credit transfer QR"). Builds the
 * version 002, UTF-8 payload a banking app reads from a QR code, the
 * shortest such payload when screen space is scarce, and parses payloads
 * back into their fields (round-trip tests, fuzzing). No I/O, no store.
 */
#ifndef MUNI_EPC_H
#define MUNI_EPC_H

#include <stddef.h>
#include <stdint.h>

#include "ident.h"

#define EPC_PAYLOAD_MAX		331	/* bytes, the standard's limit */
#define EPC_PAYLOAD_SIZE	(EPC_PAYLOAD_MAX + 1)
#define EPC_NAME_MAX		70	/* characters */
#define EPC_TEXT_MAX		140	/* characters, unstructured remittance */
#define EPC_INFO_MAX		70	/* characters, note to the payer */
#define EPC_REF_MAX		35	/* characters, structured remittance */
#define EPC_PURPOSE_MAX		4
#define EPC_CENTS_MIN		1		/* EUR 0.01 */
#define EPC_CENTS_MAX		99999999999LL	/* EUR 999999999.99 */

/*
 * What to pay, as the caller has it. NULL and "" both mean "absent" for
 * the optional fields (bic, purpose, reference, text, info). IBAN and RF
 * reference may be typed with spaces and in either case; the payload gets
 * their compact upper-case form.
 */
struct epc_transfer {
	const char	*bic;		/* 8 or 11 characters, optional */
	const char	*name;		/* beneficiary, 1-70 characters */
	const char	*iban;
	int64_t		 cents;		/* 1 .. EPC_CENTS_MAX */
	const char	*purpose;	/* 1-4 letters or digits, optional */
	const char	*reference;	/* ISO 11649 RF reference ... */
	const char	*text;		/* ... or unstructured text, never both */
	const char	*info;		/* beneficiary to originator, optional */
};

/*
 * Build the payload of t into buf (at least EPC_PAYLOAD_SIZE bytes): twelve
 * lines joined by "\n", trailing empty fields left out, no final newline,
 * NUL-terminated; *len gets its length. On a violation returns -1 and
 * *errstr names the field and what is wrong with it.
 */
int	epc_build(const struct epc_transfer *t, char *buf, size_t size,
	    size_t *len, const char **errstr);

/*
 * The shortest valid payload for t of at most max_len bytes, for a QR code
 * that must fit a small screen: no BIC, purpose or info, and short_name
 * (when given; else t->name) as beneficiary, cut at a word boundary only as
 * far as max_len requires. The IBAN, the amount and the reference (RF or
 * text) are never shortened: when they alone do not fit, or the name
 * cannot be cut to fit at a word boundary, returns -1 with *errstr set.
 */
int	epc_build_short(const struct epc_transfer *t, const char *short_name,
	    size_t max_len, char *buf, size_t size, size_t *len,
	    const char **errstr);

/* Sizes of the parsed fields, NUL included (UTF-8 takes up to 4 bytes). */
#define EPC_BIC_SIZE		12
#define EPC_NAME_SIZE		(EPC_NAME_MAX * 4 + 1)
#define EPC_PURPOSE_SIZE	(EPC_PURPOSE_MAX + 1)
#define EPC_REF_SIZE		(EPC_REF_MAX * 4 + 1)
#define EPC_TEXT_SIZE		EPC_PAYLOAD_SIZE
#define EPC_INFO_SIZE		(EPC_INFO_MAX * 4 + 1)

/* A payload taken apart. Absent fields are "", an absent amount is 0. */
struct epc_fields {
	int		 version;	/* 1 or 2 */
	int		 charset;	/* 1 UTF-8, 2-8 ISO 8859-x */
	char		 bic[EPC_BIC_SIZE];
	char		 name[EPC_NAME_SIZE];
	char		 iban[IDENT_IBAN_SIZE];
	int64_t		 cents;
	char		 purpose[EPC_PURPOSE_SIZE];
	char		 reference[EPC_REF_SIZE];
	char		 text[EPC_TEXT_SIZE];
	char		 info[EPC_INFO_SIZE];
};

/*
 * Parse a payload as the standard allows it, versions 001 and 002, any of
 * its character sets (fields of a non-UTF-8 payload keep their bytes), LF or
 * CRLF line ends and one final newline. The structured reference is not
 * required to be an RF reference, as the standard does not require it.
 */
int	epc_parse(const void *data, size_t len, struct epc_fields *f,
	    const char **errstr);

#endif
