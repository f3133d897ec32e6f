/*
 * fuzz_config: arbitrary bytes as muni.conf. The loader either accepts the
 * file or lists what is wrong with it; it never crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 fd = -1;
	struct config	*cfg;
	char		 path[64], *errors = NULL;

	if (fd == -1) {
		log_set_level(LOG_LEVEL_FATAL);
		if ((fd = memfd_create("fuzz_config", 0)) == -1)
			abort();
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((cfg = config_load(path, &errors)) != NULL)
		config_free(cfg);
	free(errors);
	return 0;
}
