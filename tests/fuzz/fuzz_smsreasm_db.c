/*
 * fuzz_smsreasm_db: fuzz_smstext_reasm's stream of MO parts, clock moves
 * and restarts with the parts kept in the database's mo_parts table, the
 * store the gateway uses, so its statements and the rows they read back
 * (a restart reloads them) meet the same hostile parts.
 */
#define FUZZ_REASM_DB 1
#include "fuzz_smstext_reasm.c"
