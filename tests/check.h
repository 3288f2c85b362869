/* check: the few assertions the unit tests need. Each test executable
 * runs its cases and ends with "N passed, N failed"; it exits non-zero when
 * a check failed, so ctest reports it. */
#ifndef MISATO_CHECK_H
#define MISATO_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failed_cases, check_passed_cases, check_case_failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            check_case_failed = 1;                                                   \
        }                                                                            \
    } while (0)

#define CHECK_INT(a, b)                                                                   \
    do {                                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);                               \
        if (a_ != b_) {                                                                   \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, \
                    a_, b_);                                                              \
            check_case_failed = 1;                                                        \
        }                                                                                 \
    } while (0)

#define CHECK_STR(a, b)                                                                   \
    do {                                                                                  \
        const char *a_ = (a), *b_ = (b);                                                  \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                            \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
                    #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                          \
            check_case_failed = 1;                                                        \
        }                                                                                 \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                                              \
    do {                                                                                   \
        double a_ = (a), b_ = (b);                                                         \
        if (!(fabs(a_ - b_) <= (eps))) {                                                   \
            fprintf(stderr, "%s:%d: %s == %g, expected %g\n", __FILE__, __LINE__, #a, a_, \
                    b_);                                                                   \
            check_case_failed = 1;                                                         \
        }                                                                                  \
    } while (0)

/* Runs one case: RUN(parse_number_should_parse_zero); */
#define RUN(fn)                                                  \
    do {                                                         \
        check_case_failed = 0;                                   \
        fn();                                                    \
        if (check_case_failed) {                                 \
            fprintf(stderr, "FAIL %s\n", #fn);                   \
            check_failed_cases++;                                \
        } else {                                                 \
            check_passed_cases++;                                \
        }                                                        \
    } while (0)

#define CHECK_DONE()                                                               \
    (printf("%d passed, %d failed\n", check_passed_cases, check_failed_cases),     \
     check_failed_cases ? 1 : 0)

#endif
