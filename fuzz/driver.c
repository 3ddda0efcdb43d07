/*
 * driver.c — a stand-in for libFuzzer's main(): feeds every file named on
 * the command line, and every file of every directory named (in name
 * order, dot files skipped), to LLVMFuzzerTestOneInput once. Linked with
 * each harness for the ctest replays fuzz_regress_<name> (seed corpus and
 * crash inputs), so every build, normal or sanitized, replays them.
 *
 * Exit 0 when every input ran (a crash or sanitizer report ends the
 * process before that), 1 when an argument cannot be read.
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <sys/stat.h>

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t size = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (cap - size < 65536) {
			unsigned char *a = realloc(data, cap = cap ? cap * 2 : 65536);
			if (!a) {
				free(data);
				fclose(f);
				return -1;
			}
			data = a;
		}
		n = fread(data + size, 1, cap - size, f);
		if (n == 0)
			break;
		size += n;
	}
	if (ferror(f)) {
		perror(path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* an exact-size copy, so ASan sees reads past the end of the input */
	{
		unsigned char *exact = malloc(size ? size : 1);
		if (!exact) {
			free(data);
			return -1;
		}
		if (size)
			memcpy(exact, data, size);
		free(data);
		LLVMFuzzerTestOneInput(exact, size);
		free(exact);
	}
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int run_dir(const char *dir, int *count)
{
	struct dirent **list = NULL;
	int n = scandir(dir, &list, skip_dots, by_name), i, rc = 0;

	if (n < 0) {
		perror(dir);
		return -1;
	}
	for (i = 0; i < n; i++) {
		char path[4096];
		struct stat sb;
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (run_file(path))
				rc = -1;
			else
				++*count;
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

int main(int argc, char **argv)
{
	int i, count = 0, rc = 0;
	struct stat sb;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) != 0) {
			perror(argv[i]);
			rc = 1;
		} else if (S_ISDIR(sb.st_mode)) {
			if (run_dir(argv[i], &count))
				rc = 1;
		} else if (run_file(argv[i])) {
			rc = 1;
		} else {
			count++;
		}
	}
	printf("%s: %d inputs\n", argv[0], count);
	return rc;
}
