/*
 * mock-broker: a stand-alone Kafka test broker built on librdkafka's mock
 * cluster, because no real Kafka (JVM, Docker) is available in dev/CI.
 *
 *   mock-broker [--brokers N] [--port P] [--topic name:partitions]...
 *               [--die-with-parent]
 *
 * stdout protocol (line based, flushed):
 *   BOOTSTRAP host:port[,host:port...]    once, when the cluster is up
 *   OK create <topic> | OK errors <topic> | ERR <message>
 *                                          one answer per stdin command
 * stdin commands:  create <topic> <partitions>
 *                  errors <topic> <partition> <api-key> <error-code> <count>
 *   (the next <count> requests of <api-key>, e.g. 0 = Produce, naming that
 *   partition get <error-code>, e.g. 10 MESSAGE_TOO_LARGE or 29
 *   TOPIC_AUTHORIZATION_FAILED, as their partition error: how tests make a
 *   broker refuse writes for good without a real broker's limits or ACLs)
 * Only SIGTERM/SIGINT stop it; EOF on stdin does not (it may run detached).
 *
 * Build: native/mock-broker/build.sh (links a static librdkafka.a).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rdkafka.h"
#include "rdkafka_mock.h"

#define API_LEAVEGROUP 13

static rd_kafka_mock_cluster_t *mcluster;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* mcluster + stdout */
static int replication_factor = 1;

/*
 * The mock always binds 127.0.0.1:0 and offers no port option. We link with
 * -Wl,--wrap=bind so the N listeners it opens (broker 1..N, in order, inside
 * rd_kafka_mock_cluster_new) get ports P..P+N-1 instead. The kernel-assigned
 * port is read back with getsockname(), so advertised metadata stays right.
 */
static int next_port; /* 0 = let the kernel choose */
int __real_bind(int fd, const struct sockaddr *addr, socklen_t len);
int __wrap_bind(int fd, const struct sockaddr *addr, socklen_t len) {
        struct sockaddr_in sin;
        if (!next_port || addr->sa_family != AF_INET || len != sizeof(sin))
                return __real_bind(fd, addr, len);
        memcpy(&sin, addr, sizeof(sin));
        if (sin.sin_port != 0)
                return __real_bind(fd, addr, len); /* re-bind after set_down */
        sin.sin_port = htons((uint16_t)next_port);
        if (__real_bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
                /* cluster_new() does not clean up well after a failed
                 * listener, so fail fast with a readable message. */
                fprintf(stderr, "mock-broker: cannot listen on 127.0.0.1:%d: %s\n",
                        next_port, strerror(errno));
                exit(2);
        }
        next_port++;
        return 0;
}

static int create_topic(const char *name, int partitions, char *err, size_t errsz) {
        rd_kafka_resp_err_t e;
        if (partitions < 1) {
                snprintf(err, errsz, "invalid partition count for %s", name);
                return -1;
        }
        pthread_mutex_lock(&lock);
        e = rd_kafka_mock_topic_create(mcluster, name, partitions, replication_factor);
        pthread_mutex_unlock(&lock);
        if (e) {
                snprintf(err, errsz, "create %s: %s", name, rd_kafka_err2str(e));
                return -1;
        }
        return 0;
}

/* The partition API takes its errors as varargs, and each call is one round
 * trip to the mock's thread (~0.3 s), so one call passes MAX_ERRORS copies and
 * a count of how many to use. */
#define MAX_ERRORS 256
#define E4(c) c, c, c, c
#define E16(c) E4(c), E4(c), E4(c), E4(c)
#define E64(c) E16(c), E16(c), E16(c), E16(c)
#define E256(c) E64(c), E64(c), E64(c), E64(c)

static int push_errors(const char *topic, int partition, int api_key, int code, int count, char *err,
                       size_t errsz) {
        rd_kafka_resp_err_t e, c = (rd_kafka_resp_err_t)code;
        if (count < 1 || count > MAX_ERRORS || api_key < 0 || partition < 0) {
                snprintf(err, errsz, "invalid errors command for %s (count 1..%d)", topic, MAX_ERRORS);
                return -1;
        }
        pthread_mutex_lock(&lock);
        e = rd_kafka_mock_partition_push_request_errors(mcluster, topic, partition, (int16_t)api_key,
                                                        (size_t)count, E256(c));
        pthread_mutex_unlock(&lock);
        if (e) {
                snprintf(err, errsz, "errors %s: %s", topic, rd_kafka_err2str(e));
                return -1;
        }
        return 0;
}

static void reply(const char *fmt, const char *arg) {
        pthread_mutex_lock(&lock);
        printf(fmt, arg);
        fflush(stdout);
        pthread_mutex_unlock(&lock);
}

/* Runs on its own thread so the main thread can sit in sigwait(). */
static void *stdin_loop(void *unused) {
        char line[1024], cmd[32], name[512], err[600];
        int parts, api_key, code, count, n;
        (void)unused;
        while (fgets(line, sizeof(line), stdin)) {
                n = sscanf(line, "%31s %511s %d %d %d %d", cmd, name, &parts, &api_key, &code, &count);
                if (n < 1)
                        continue; /* blank line */
                if (!strcmp(cmd, "errors") && n == 6) {
                        if (push_errors(name, parts, api_key, code, count, err, sizeof(err)) == 0)
                                reply("OK errors %s\n", name);
                        else
                                reply("ERR %s\n", err);
                } else if (!strcmp(cmd, "create") && n == 3) {
                        if (create_topic(name, parts, err, sizeof(err)) == 0)
                                reply("OK create %s\n", name);
                        else
                                reply("ERR %s\n", err);
                } else {
                        reply("ERR unknown command: %s\n", cmd);
                }
        }
        return NULL; /* EOF: keep serving until a signal arrives */
}

static void usage(void) {
        fprintf(stderr, "usage: mock-broker [--brokers N] [--port P] "
                        "[--topic name:partitions]... [--die-with-parent]\n");
        exit(1);
}

int main(int argc, char **argv) {
        const char **topics = calloc((size_t)argc, sizeof(*topics));
        int ntopics = 0, brokers = 1, port = 0, i, sig;
        pid_t parent = getppid();
        char errstr[512];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        sigset_t sigs;
        pthread_t reader;

        for (i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers") && i + 1 < argc)
                        brokers = atoi(argv[++i]);
                else if (!strcmp(argv[i], "--port") && i + 1 < argc)
                        port = atoi(argv[++i]);
                else if (!strcmp(argv[i], "--topic") && i + 1 < argc)
                        topics[ntopics++] = argv[++i];
                else if (!strcmp(argv[i], "--die-with-parent")) {
                        /* EOF on stdin is no stop signal, so a test runner
                         * that is SIGKILLed would leak us; ask the kernel
                         * for a SIGTERM (handled below) when it goes. */
                        prctl(PR_SET_PDEATHSIG, SIGTERM);
                        if (getppid() != parent)
                                return 0; /* it died before prctl() */
                } else
                        usage();
        }
        if (brokers < 1 || port < 0 || port + brokers > 65536)
                usage();

        /* Block the stop signals before librdkafka spawns threads so they
         * inherit the mask and only sigwait() below ever sees them. */
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);
        signal(SIGPIPE, SIG_IGN); /* a vanished parent must not kill us */

        /* The mock needs a client handle only for its internal bookkeeping. */
        conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "log_level", "4", NULL, 0);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "mock-broker: rd_kafka_new: %s\n", errstr);
                return 1;
        }

        next_port = port;
        mcluster  = rd_kafka_mock_cluster_new(rk, brokers);
        next_port = 0;
        if (!mcluster) {
                fprintf(stderr, "mock-broker: failed to create mock cluster\n");
                return 1;
        }
        /* Same default the mock uses for auto-created topics. */
        replication_factor = brokers < 3 ? brokers : 3;

        /* kafkajs 2.2.4 mis-parses the mock's LeaveGroup v3+ response. */
        rd_kafka_mock_set_apiversion(mcluster, API_LEAVEGROUP, 0, 2);
        /* Metadata reports controller 0 by default, a broker that does not
         * exist (ids start at 1); kafkajs routes admin requests to it. */
        rd_kafka_mock_set_controller_id(mcluster, 1);
        /* Default is 3 s like real Kafka; tests would pay it on every join. */
        rd_kafka_mock_group_initial_rebalance_delay_ms(mcluster, 0);

        for (i = 0; i < ntopics; i++) {
                char name[512], *colon;
                int parts = 1;
                snprintf(name, sizeof(name), "%s", topics[i]);
                if ((colon = strrchr(name, ':'))) {
                        *colon = '\0';
                        parts  = atoi(colon + 1);
                }
                if (create_topic(name, parts, errstr, sizeof(errstr))) {
                        fprintf(stderr, "mock-broker: %s\n", errstr);
                        return 1;
                }
        }

        printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);

        pthread_create(&reader, NULL, stdin_loop, NULL);
        pthread_detach(reader);

        sigwait(&sigs, &sig);
        fprintf(stderr, "mock-broker: %s, shutting down\n",
                sig == SIGTERM ? "SIGTERM" : "SIGINT");

        /* Hold the lock so a concurrent create cannot touch a dead cluster.
         * _exit(), not exit(): the reader thread may sit in fgets() holding
         * stdin's lock, which exit()'s stdio cleanup could wait on. */
        pthread_mutex_lock(&lock);
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        fflush(stdout);
        fflush(stderr);
        _exit(0);
}
