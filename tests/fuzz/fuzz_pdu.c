/*
 * fuzz_pdu: bytes as they would arrive from an SMPP peer, framed and decoded
 * PDU by PDU. The hand decoder must agree with libsmpp34's path (the same
 * struct pdu or the same nack), whatever decodes is encoded again by both
 * encoders, which must write the same bytes, and must decode to the same
 * message; any user data goes through the receipt parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pdu.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
roundtrip(const struct pdu *p)
{
	static struct pdu	 q;
	uint8_t			 buf[PDU_ENCODE_MAX];
	size_t			 len;
	uint32_t		 nack;
	const char		*err;

	static uint8_t		 ref[PDU_ENCODE_MAX];
	size_t			 reflen;
	int			 r;

	/* Refusing to encode is fine (a decoded TON 7, say); lying is not. */
	r = pdu_encode(p, buf, sizeof(buf), &len, &err);
	if (r != pdu_encode_ref(p, ref, sizeof(ref), &reflen, &err) ||
	    (r == 0 && (len != reflen || memcmp(buf, ref, len) != 0)))
		__builtin_trap();
	if (r == -1)
		return;
	if (pdu_decode(buf, len, &q, &nack, &err) == -1)
		__builtin_trap();
	if (q.cmd != p->cmd || q.seq != p->seq || q.len != len)
		__builtin_trap();
	if ((p->cmd == PDU_SUBMIT_SM || p->cmd == PDU_DELIVER_SM) &&
	    (q.data_len != p->data_len ||
	    memcmp(q.data, p->data, p->data_len) != 0 ||
	    strcmp(q.dst.addr, p->dst.addr) != 0 ||
	    q.esm_class != p->esm_class || q.data_coding != p->data_coding))
		__builtin_trap();
	if ((p->cmd & PDU_RESP) && p->status == PDU_ROK &&
	    p->cmd == PDU_SUBMIT_SM_RESP &&
	    strcmp(q.message_id, p->message_id) != 0)
		__builtin_trap();
}

/* The library's decoder on the same bytes must say the same. */
static void
agree(const uint8_t *data, size_t len, int r, const struct pdu *p,
    uint32_t nack, const char *err)
{
	static struct pdu	 q;
	uint32_t		 qnack;
	const char		*qerr;

	if (pdu_decode_ref(data, len, &q, &qnack, &qerr) != r ||
	    qnack != nack || (r == -1 && strcmp(err, qerr) != 0) ||
	    (r == 0 && memcmp(p, &q, sizeof(q)) != 0))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pdu	 p;
	struct pdu_receipt	 r;
	uint32_t		 nack;
	const char		*err;
	size_t			 len;
	int			 rc;

	while (pdu_frame(data, size, &len) == PDU_FRAME_OK) {
		rc = pdu_decode(data, len, &p, &nack, &err);
		if (rc == 0 || err != NULL)
			agree(data, len, rc, &p, nack, err);
		if (rc == 0) {
			roundtrip(&p);
			(void)pdu_receipt_parse(p.data, p.data_len, &r, &err);
		} else if (nack == PDU_ROK || err == NULL)
			__builtin_trap();	/* a refusal must say why */
		data += len;
		size -= len;
	}
	return 0;
}
