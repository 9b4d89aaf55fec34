/*
 * bench-floor: the performance floor for Scripts/bench.
 *
 * Parses one file with libyaml's event API and does nothing else: no nodes,
 * no decoding. It counts events and scalar bytes so the compiler cannot skip
 * the work, and prints them. csi-migrate's budgets are ratios to this time.
 *
 *   cc -O2 -o bench-floor bench-floor.c $(pkg-config --cflags --libs yaml-0.1)
 *   bench-floor FILE        exit 0; exit 2 on an unreadable file or parse error
 */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (file == NULL) {
        perror(argv[1]);
        return 2;
    }

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "%s: cannot initialize libyaml parser\n", argv[1]);
        fclose(file);
        return 2;
    }
    yaml_parser_set_input_file(&parser, file);

    unsigned long long events = 0;
    unsigned long long scalarBytes = 0;
    int done = 0;
    while (!done) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s:%lu:%lu: error: %s\n", argv[1],
                    (unsigned long)parser.problem_mark.line + 1,
                    (unsigned long)parser.problem_mark.column + 1,
                    parser.problem ? parser.problem : "parse error");
            yaml_parser_delete(&parser);
            fclose(file);
            return 2;
        }
        events++;
        if (event.type == YAML_SCALAR_EVENT) {
            scalarBytes += event.data.scalar.length;
        }
        done = (event.type == YAML_STREAM_END_EVENT);
        yaml_event_delete(&event);
    }

    yaml_parser_delete(&parser);
    fclose(file);
    printf("%llu events, %llu scalar bytes\n", events, scalarBytes);
    return 0;
}
