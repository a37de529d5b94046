/*
 * libplugin_classloader.so: a class_loader plugin that registers
 * make_shared objects in its host's registry, as an rclcpp component
 * adds timers and services to a callback group its node owns.
 */
#include <class_loader/class_loader.hpp>

#include "plugin_base.hpp"

namespace {

struct TimerService : Service {
	int ticks = 0;
	~TimerService() override {}
	int serve() override { return ++ticks; }
};

}

class PluginImpl : public PluginBase {
public:
	void start(Registry &registry) override
	{
		timer_ = std::make_shared<TimerService>();
		service_ = std::make_shared<TimerService>();
		registry.add(timer_);
		registry.add(service_);
	}

private:
	/* Released with the plugin instance; the registry's weak_ptrs stay. */
	std::shared_ptr<Service> timer_, service_;
};

CLASS_LOADER_REGISTER_CLASS(PluginImpl, PluginBase)
