/*
 * fees: what residents owe. Here so far: the RF reference a fee gets when
 * its import brought none.
 */
#ifndef MUNI_FEES_H
#define MUNI_FEES_H

#include <stdint.h>

#include "ident.h"

/*
 * The RF reference of fee id: its id as ten digits, so it is short (a
 * small QR code) and the same every time the fee is shown.
 */
void	fees_reference_for_id(int64_t id, char out[IDENT_RF_SIZE]);

/*
 * The fee kind as people say it, in the current language: "nin" is the
 * real-estate tax; an unknown kind is shown as its code.
 */
const char *fees_kind_name(const char *kind);

#endif
