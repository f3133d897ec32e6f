/*
 * pdu_priv: what pdu.c (the walk and the decoders) and pdu_encode.c (the
 * encoders) share: the wire's integers, the TON and NPI values libsmpp34
 * accepts, and its bind structs. Included by those two files alone: the
 * rest of the tree sees pdu.h, which knows nothing of libsmpp34.
 */
#ifndef MUNI_PDU_PRIV_H
#define MUNI_PDU_PRIV_H

#include <stdint.h>

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#define LIB_BIND_VERSION	0x34

static inline uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static inline uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline void
put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static inline int
lib_ton_ok(uint8_t ton)
{
	return ton <= PDU_TON_ABBREVIATED;
}

static inline int
lib_npi_ok(uint8_t npi)
{
	switch (npi) {
	case 0: case 1: case 3: case 4: case 6: case 8: case 9: case 10:
	case 14: case 18:
		return 1;
	default:
		return 0;
	}
}

union lib_bind {
	bind_transmitter_t	 tx;
	bind_receiver_t		 rx;
	bind_transceiver_t	 trx;
};

union lib_bind_resp {
	bind_transmitter_resp_t	 tx;
	bind_receiver_resp_t	 rx;
	bind_transceiver_resp_t	 trx;
};

#endif
