#include "migrate/cli/cli.hpp"

int main(int argc, char** argv) {
  return migrate::cli::run(argc, argv);
}
