/*
 * words: what a resident's words mean where more than one module must
 * read them alike. The SMS parser (keywords.c) answers them; the topics
 * (topics.c) must not take a code the parser would read otherwise. Both
 * ask here, so the domain need not call into the SMS front.
 */
#ifndef MUNI_WORDS_H
#define MUNI_WORDS_H

#include <stddef.h>

/*
 * 1 when arg (len bytes of UTF-8, what follows STOP) means every topic:
 * nothing, or ALL, VISI and their forms, ignoring case, diacritics and
 * punctuation; 0 when it names one.
 */
int	 words_stop_all(const char *arg, size_t len);

#endif
