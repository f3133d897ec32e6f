/*
 * fuzz_pdu: bytes as they would arrive from an SMPP peer, framed and decoded
 * PDU by PDU. Whatever decodes is encoded again and must decode to the same
 * message, and any user data goes through the receipt parser.
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

	/* Refusing to encode is fine (a decoded TON 7, say); lying is not. */
	if (pdu_encode(p, buf, sizeof(buf), &len, &err) == -1)
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pdu	 p;
	struct pdu_receipt	 r;
	uint32_t		 nack;
	const char		*err;
	size_t			 len;

	while (pdu_frame(data, size, &len) == PDU_FRAME_OK) {
		if (pdu_decode(data, len, &p, &nack, &err) == 0) {
			roundtrip(&p);
			(void)pdu_receipt_parse(p.data, p.data_len, &r, &err);
		} else if (nack == PDU_ROK || err == NULL)
			__builtin_trap();	/* a refusal must say why */
		data += len;
		size -= len;
	}
	return 0;
}
