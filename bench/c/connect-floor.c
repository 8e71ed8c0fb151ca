/*
 * connect-floor: the floor that ifpin's costs are compared against (issue 7), in plain C with no JVM.
 * Built by bench/harness.sh with gcc; Linux only.
 *
 *   connect-floor serve PORT THREADS        accept and close connections on [::]:PORT until killed
 *   connect-floor connect N ADDR PORT [DEV] N times: socket, [setsockopt(SO_BINDTODEVICE, DEV)], connect, close
 *   connect-floor setsockopt N DEV          N fresh TCP sockets: time only the setsockopt(SO_BINDTODEVICE)
 *   connect-floor getsockopt N              N fresh TCP sockets: time only the getsockopt(SO_BINDTODEVICE)
 *
 * Each measuring mode prints one line "ns_per_op=<float>" on stdout. Sockets close with SO_LINGER 0 (a reset, no
 * TIME_WAIT), like the Java connect app, so that tens of thousands of connects do not run out of local ports.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "connect-floor: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void close_with_reset(int fd) {
    struct linger reset = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
}

static void *accept_loop(void *arg) {
    int listener = *(int *) arg;
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd >= 0) {
            close(fd);
        }
    }
    return NULL;
}

static int serve(int port, int threads) {
    int listener = socket(AF_INET6, SOCK_STREAM, 0);
    if (listener < 0) die("socket");
    int one = 1, zero = 0;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero); /* IPv4 too, as ::ffff:a.b.c.d */
    struct sockaddr_in6 address = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any};
    if (bind(listener, (struct sockaddr *) &address, sizeof address) < 0) die("bind");
    if (listen(listener, 65535) < 0) die("listen");
    fprintf(stderr, "connect-floor: serving [::]:%d with %d threads\n", port, threads);
    pthread_t thread;
    for (int i = 1; i < threads; i++) {
        pthread_create(&thread, NULL, accept_loop, &listener);
    }
    accept_loop(&listener);
    return 0;
}

static int parse_address(const char *text, int port, struct sockaddr_storage *out, socklen_t *length) {
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *) out;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *) out;
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        *length = sizeof *v4;
        return AF_INET;
    }
    if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        *length = sizeof *v6;
        return AF_INET6;
    }
    fprintf(stderr, "connect-floor: not an address: %s\n", text);
    exit(64);
}

static int connect_loop(long n, const char *text, int port, const char *device) {
    struct sockaddr_storage address;
    socklen_t length;
    int family = parse_address(text, port, &address, &length);
    long long start = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = socket(family, SOCK_STREAM, 0);
        if (fd < 0) die("socket");
        if (device != NULL && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, strlen(device) + 1) < 0) {
            die("setsockopt(SO_BINDTODEVICE)");
        }
        if (connect(fd, (struct sockaddr *) &address, length) < 0) die("connect");
        close_with_reset(fd);
    }
    printf("ns_per_op=%.1f\n", (double) (now_ns() - start) / n);
    return 0;
}

/* The system call alone, on a fresh socket each time, as ifpin makes it: the socket is not bound yet. */
static int option_loop(long n, const char *device) {
    long long total = 0;
    for (long i = 0; i < n; i++) {
        int fd = socket(AF_INET6, SOCK_STREAM, 0);
        if (fd < 0) die("socket");
        char name[16];
        socklen_t length = sizeof name;
        long long start = now_ns();
        int result = device != NULL
                ? setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, strlen(device) + 1)
                : getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, &length);
        total += now_ns() - start;
        if (result < 0) die(device != NULL ? "setsockopt(SO_BINDTODEVICE)" : "getsockopt(SO_BINDTODEVICE)");
        close(fd);
    }
    /* Subtract the cost of the two clock reads around the call. */
    long long clock_start = now_ns();
    for (long i = 0; i < n; i++) {
        now_ns();
    }
    double clock_cost = (double) (now_ns() - clock_start) / n;
    printf("ns_per_op=%.1f\n", (double) total / n - clock_cost);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "serve") == 0) {
        return serve(atoi(argv[2]), atoi(argv[3]));
    }
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "connect") == 0) {
        return connect_loop(atol(argv[2]), argv[3], atoi(argv[4]), argc == 6 ? argv[5] : NULL);
    }
    if (argc == 4 && strcmp(argv[1], "setsockopt") == 0) {
        return option_loop(atol(argv[2]), argv[3]);
    }
    if (argc == 3 && strcmp(argv[1], "getsockopt") == 0) {
        return option_loop(atol(argv[2]), NULL);
    }
    fprintf(stderr, "usage: connect-floor serve PORT THREADS | connect N ADDR PORT [DEV] | setsockopt N DEV"
                    " | getsockopt N\n");
    return 64;
}
