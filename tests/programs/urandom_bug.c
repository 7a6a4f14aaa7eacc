/* urandom_bug: a lost update in a program that draws its randomness from the
 * kernel (/dev/urandom and getrandom()).
 *
 * Two tellers each post deposits to the same 3 accounts, in an order and
 * with amounts drawn at random: one teller reads its random bytes from
 * /dev/urandom (open + read), the other calls getrandom().  A deposit reads
 * the balance in one critical section and writes back balance + amount in
 * another (BUG: lost update when the other teller posts to the same account
 * in between).  The tellers always share an account whatever the random
 * draw, so every execution has the race; the random values change how many
 * deposits there are, their order and their amounts.  Main checks every balance against what the tellers
 * report they deposited.
 *
 * The tool must find the lost update; for a found bug to replay exactly,
 * the random bytes must be the same when the execution is replayed.
 *
 * Expected under the tool: assertion failure.
 */
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

#define ACCOUNTS 3

static pthread_mutex_t bank_mu = PTHREAD_MUTEX_INITIALIZER;
static long balance[ACCOUNTS];        /* protected by bank_mu */

struct teller {
    int use_getrandom;
    long deposited[ACCOUNTS];         /* written by the teller, read after join */
};

static void random_bytes(const struct teller *t, unsigned char *buf, size_t n)
{
    if (t->use_getrandom) {
        ssize_t got = getrandom(buf, n, 0);
        assert(got == (ssize_t)n);
    } else {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        assert(fd >= 0);
        ssize_t got = read(fd, buf, n);
        assert(got == (ssize_t)n);
        close(fd);
    }
}

__attribute__((noinline)) static void deposit(int account, long amount)
{
    pthread_mutex_lock(&bank_mu);
    long b = balance[account];
    pthread_mutex_unlock(&bank_mu);
    /* BUG: the balance may change here. */
    pthread_mutex_lock(&bank_mu);
    balance[account] = b + amount;
    pthread_mutex_unlock(&bank_mu);
}

static void *teller_thread(void *arg)
{
    struct teller *t = arg;
    unsigned char rnd[ACCOUNTS + 1];
    random_bytes(t, rnd, sizeof rnd);

    /* A random number of deposits (2..5: with 3 accounts, the tellers
     * always share one), from a random account on, random amounts 1..4.
     * The number of deposits sets the number of scheduling points, so a
     * schedule replays only if the random bytes are the same again. */
    int start = rnd[ACCOUNTS] % ACCOUNTS;
    int ndeposits = 2 + (rnd[ACCOUNTS] / ACCOUNTS) % 4;
    for (int k = 0; k < ndeposits; k++) {
        int a = (start + k) % ACCOUNTS;
        long amount = 1 + rnd[k % ACCOUNTS] % 4;
        deposit(a, amount);
        t->deposited[a] += amount;
    }
    return NULL;
}

int main(void)
{
    struct teller tellers[2] = {{.use_getrandom = 0}, {.use_getrandom = 1}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, teller_thread, &tellers[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);

    for (int a = 0; a < ACCOUNTS; a++) {
        long want = tellers[0].deposited[a] + tellers[1].deposited[a];
        if (balance[a] != want)
            printf("account %d: balance %ld, deposited %ld\n", a, balance[a], want);
        assert(balance[a] == want && "a deposit was lost");
    }
    return 0;
}
