#include "config.h"
#include "stats.h"

#include <sys/resource.h>

struct stats stats;

void
stats_print(FILE *out)
{
	struct rusage ru;
	long max_rss_kb = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
	fprintf(out, "%s: stats: stops %lu, breakpoint hits %lu (emulated %lu), single-steps %lu, "
		"maps reads %lu, stack walks %lu, library events %lu, dlopen calls %lu, "
		"dlclose calls %lu, peak RSS %ld KiB\n", PACKAGE, stats.stops,
		stats.breakpoint_hits, stats.emulated, stats.single_steps, stats.maps_reads,
		stats.unwinds, stats.library_events, stats.dlopen_calls, stats.dlclose_calls,
		max_rss_kb);
	if (stats.polled_stops)
		fprintf(out, "%s: stats: %lu events (stops, exits) found while polling, the "
			"others after sleeping\n", PACKAGE, stats.polled_stops);
	if (stats.unmap_stops)
		fprintf(out, "%s: stats: unmap watch: %lu stops (munmap, mremap, mmap(MAP_FIXED))\n",
			PACKAGE, stats.unmap_stops);
	if (stats.sigaction_stops || stats.handler_reads || stats.handler_kept)
		fprintf(out, "%s: stats: signal handlers: %lu rt_sigaction stops, tables read "
			"%lu times, kept from the last read %lu times\n", PACKAGE,
			stats.sigaction_stops, stats.handler_reads, stats.handler_kept);
	if (stats.scans)
		fprintf(out, "%s: stats: scan: %llu MiB in %.1f ms (%lu scans, %lu reads, "
			"%.2f GiB/s; %llu MiB never written, not read; %lu read by two "
			"threads)\n", PACKAGE,
			stats.scan_bytes >> 20, stats.scan_seconds * 1e3, stats.scans,
			stats.scan_calls, stats.scan_seconds > 0 ?
			stats.scan_bytes / stats.scan_seconds / (1024.0 * 1024 * 1024) : 0.0,
			stats.scan_skipped >> 20, stats.scans_shared);
	if (stats.writable_reads || stats.writable_from_snapshot)
		fprintf(out, "%s: stats: writable mappings for the scans: %lu asked of the "
			"kernel, %lu from the snapshot\n", PACKAGE, stats.writable_reads, stats.writable_from_snapshot);
}
