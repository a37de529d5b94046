/* Time since the tool started, the unit of every timestamp in the report. */
#ifndef TA_CLOCK_H
#define TA_CLOCK_H

void clock_start(void);
/* Seconds since clock_start(), monotonic. */
double clock_now(void);

#endif
