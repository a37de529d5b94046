/*
 * threads: thread churn, N threads created and joined, BATCH at a time.
 *
 *   threads N BATCH
 *
 * Each thread does a little arithmetic and ends; every clone and every
 * thread exit is a stop for a tracer that follows threads.
 * Exit 0, or 1 if a thread could not be created.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
work(void *arg)
{
	unsigned long x = (unsigned long)arg;
	for (int i = 0; i < 1000; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return (void *)x;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: threads N BATCH\n");
		return 2;
	}
	long n = atol(argv[1]), batch = atol(argv[2]);
	if (batch < 1 || batch > 64)
		batch = 1;
	pthread_t t[64];
	unsigned long sum = 0;

	for (long done = 0; done < n; done += batch) {
		long k = n - done < batch ? n - done : batch;
		for (long i = 0; i < k; i++) {
			int e = pthread_create(&t[i], NULL, work, (void *)(done + i));
			if (e) {
				fprintf(stderr, "threads: pthread_create: %s\n", strerror(e));
				return 1;
			}
		}
		for (long i = 0; i < k; i++) {
			void *r;
			pthread_join(t[i], &r);
			sum += (unsigned long)r;
		}
	}
	printf("%lu\n", sum);
	return 0;
}
