/*
 * fetch: GET a URL with libcurl and print its status, size and CRC-32 (zlib). A program of
 * your own, compiled against two Debian libraries that its spec does not name: mcc finds the
 * packages that ship them.
 *
 *   gcc -O2 -o examples/fetch/fetch examples/fetch/fetch.c -lcurl -lz
 */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <zlib.h>

struct body {
  size_t bytes;
  uLong crc;
};

static size_t take(char *data, size_t size, size_t count, void *user) {
  struct body *b = user;
  b->bytes += size * count;
  b->crc = crc32(b->crc, (const Bytef *)data, (uInt)(size * count));
  return size * count;
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--version") == 0) {
    printf("fetch 1.0 (libcurl %s, zlib %s)\n", curl_version_info(CURLVERSION_NOW)->version, zlibVersion());
    return 0;
  }
  struct body b = {0, crc32(0L, Z_NULL, 0)};
  CURL *curl = curl_easy_init();
  if (curl == NULL) return 2;
  curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    fprintf(stderr, "fetch: %s\n", curl_easy_strerror(rc));
    curl_easy_cleanup(curl);
    return 1;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  printf("%ld, %zu bytes, crc32 %08lx\n", status, b.bytes, b.crc);
  curl_easy_cleanup(curl);
  return 0;
}
