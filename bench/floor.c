// The physical floor of loading a CSV file on this machine: how fast its bytes come from the
// page cache, and how fast one pass finds its newlines, on one thread and on every core.
//
//     cc -O2 -pthread -o /tmp/floor bench/floor.c && /tmp/floor FILE [runs]
//
// Each run reads the whole file with pread() into one buffer (the threads each reading an
// equal share, in 4 MiB blocks), then counts '\n' with memchr over the buffer (again split
// among the threads). The buffer is allocated and touched once before the runs, so the runs
// time the copies, not the first touch of fresh pages; a last line reports a read into fresh
// memory as a load would (malloc per run, pages faulted in by the copy), and a pass over a
// fresh mmap of the file each run (clubsh maps the file it loads). Prints the median of
// the runs in seconds and MB/s (10^6 bytes).
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fd;
static char *buf;
static size_t size;

struct part { size_t from, to; size_t lines; };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *reader(void *arg) {
    struct part *p = arg;
    size_t at = p->from;
    while (at < p->to) {
        size_t n = p->to - at < (4u << 20) ? p->to - at : (4u << 20);
        ssize_t got = pread(fd, buf + at, n, (off_t)at);
        if (got <= 0) { perror("pread"); exit(1); }
        at += (size_t)got;
    }
    return NULL;
}

static void *counter(void *arg) {
    struct part *p = arg;
    size_t lines = 0;
    const char *at = buf + p->from, *end = buf + p->to;
    while ((at = memchr(at, '\n', (size_t)(end - at))) != NULL) { lines++; at++; }
    p->lines = lines;
    return NULL;
}

// Runs `f` on `threads` threads over equal shares of the file; returns the seconds and the sum
// of the shares' line counts.
static double run(void *(*f)(void *), int threads, size_t *lines) {
    pthread_t t[8];
    struct part parts[8];
    double start = now();
    for (int i = 0; i < threads; i++) {
        parts[i].from = size / threads * i;
        parts[i].to = i == threads - 1 ? size : size / threads * (i + 1);
        parts[i].lines = 0;
        pthread_create(&t[i], NULL, f, &parts[i]);
    }
    size_t total = 0;
    for (int i = 0; i < threads; i++) { pthread_join(t[i], NULL); total += parts[i].lines; }
    if (lines) *lines = total;
    return now() - start;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *xs, int n) {
    qsort(xs, (size_t)n, sizeof *xs, by_value);
    return xs[n / 2];
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: floor FILE [runs]\n"); return 2; }
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    if (runs < 1 || runs > 99) runs = 7;
    fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror(argv[1]); return 1; }
    struct stat st;
    fstat(fd, &st);
    size = (size_t)st.st_size;
    buf = malloc(size);
    if (!buf) { perror("malloc"); return 1; }
    run(reader, 2, NULL);  // into the page cache, and every page of the buffer touched
    double mb = size / 1e6;
    printf("%s: %.1f MB\n", argv[1], mb);
    for (int threads = 1; threads <= 2; threads++) {
        double r[99], c[99];
        size_t lines = 0;
        for (int i = 0; i < runs; i++) {
            r[i] = run(reader, threads, NULL);
            c[i] = run(counter, threads, &lines);
        }
        double mr = median(r, runs), mc = median(c, runs);
        printf("%d thread%s: read %.3f s (%.0f MB/s); memchr newlines %.3f s (%.0f MB/s, %zu lines); both %.3f s (%.0f MB/s)\n",
               threads, threads > 1 ? "s" : "", mr, mb / mr, mc, mb / mc, lines, mr + mc, mb / (mr + mc));
    }
    // clubsh maps the file instead: each page of the page cache is mapped in by a fault on first
    // touch, with no copy. One memchr pass over a fresh mapping per run.
    for (int threads = 1; threads <= 2; threads++) {
        double m[99];
        size_t lines = 0;
        char *own = buf;
        for (int i = 0; i < runs; i++) {
            double start = now();
            buf = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (buf == MAP_FAILED) { perror("mmap"); return 1; }
            run(counter, threads, &lines);
            munmap(buf, size);
            m[i] = now() - start;
        }
        buf = own;
        double mm = median(m, runs);
        printf("%d thread%s: mmap + memchr newlines %.3f s (%.0f MB/s, %zu lines)\n", threads, threads > 1 ? "s" : "", mm, mb / mm, lines);
    }
    // A load reads into memory it has just allocated: the kernel clears each fresh page first.
    double fresh[99];
    free(buf);
    for (int i = 0; i < runs; i++) {
        buf = malloc(size);
        fresh[i] = run(reader, 2, NULL);
        free(buf);
    }
    double mf = median(fresh, runs);
    printf("2 threads into fresh memory: read %.3f s (%.0f MB/s)\n", mf, mb / mf);
    return 0;
}
