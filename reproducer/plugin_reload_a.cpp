/*
 * libplugin_reload_a.so: version 1 of a plugin that host_reload reloads.
 *
 * WidgetA implements more virtual functions than version 2's WidgetB, so
 * its vtable is longer.  Everything after the vtable is laid out alike in
 * both versions, so WidgetA's vtable starts lower in this library than
 * WidgetB's does in version 2: when version 2 is mapped where this one
 * was, the slot a stale WidgetA object calls through lies in version 2's
 * zero padding in front of its data segment.
 */
#include "widget.hpp"

namespace {

struct WidgetA : Widget {
	int describe() override { return 1; }
	/* Hooks version 2 dropped; only their vtable slots matter here. */
	virtual int hook0() { return 0; }
	virtual int hook1() { return 1; }
	virtual int hook2() { return 2; }
	virtual int hook3() { return 3; }
	virtual int hook4() { return 4; }
	virtual int hook5() { return 5; }
	virtual int hook6() { return 6; }
	virtual int hook7() { return 7; }
	virtual int hook8() { return 8; }
	virtual int hook9() { return 9; }
	virtual int hook10() { return 10; }
	virtual int hook11() { return 11; }
};

}

extern "C" Widget *plugin_create(void)
{
	return new WidgetA;
}
