/*
 * host_codec: a static object of a plugin registers itself with the host,
 * and stays registered after the plugin is unloaded.
 *
 *   host_codec PLUGIN.so
 *
 * The host keeps a registry of codecs (a std::vector<Codec *> on the heap).
 * libplugin_codec.so has a static FlacCodec object whose constructor adds
 * it to the registry when the plugin is loaded; nothing takes it out.  The
 * host unloads the plugin, then lists its codecs: reading the object's
 * vptr reads unmapped data.
 *
 * Expected, native: SIGSEGV under both compilers (the address is the old
 * flac_codec object in the plugin's data).  Under the tool, a latent
 * finding at the unload names the heap block that points at flac_codec
 * and its class, FlacCodec.
 */
#include <vector>

#include "codec.hpp"
#include "repro.h"

static std::vector<Codec *> *registry;

void codec_register(Codec *codec)
{
	registry->push_back(codec);
}

static REPRO_NOINLINE void list_codecs()
{
	for (const Codec *c : *registry)
		say("host: codec %s", c->name());
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: host_codec PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	registry = new std::vector<Codec *>;
	void *handle = open_plugin(argv[1], RTLD_NOW | RTLD_LOCAL);
	list_codecs();
	unload_plugin(handle);
	list_codecs();
	say("host: done");
	return 0;
}
