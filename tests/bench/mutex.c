/*
 * mutex.c: the bare baseline for free mode, as a program of its own
 * (bare_mutex.h).  Prints the elapsed seconds.  Usage: mutex [N [T]]
 */
#include <stdio.h>
#include <stdlib.h>

#include "bare_mutex.h"

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? atol(argv[1]) : 1000000;
	int n = argc > 2 ? atoi(argv[2]) : 2;
	if (iterations < 1 || n < 1 || n > BARE_MAX_THREADS)
		return 2;
	double s = bare_mutex_run(iterations, n);
	if (s < 0)
		return 1;
	printf("%.6f\n", s);
	return 0;
}
