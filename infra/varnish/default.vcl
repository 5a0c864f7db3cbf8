vcl 4.1;
# The edge cache in front of the school data service.
#
# Loaded by scripts/start-edge.mjs (and test/support/varnish.ts) as
#   varnishd -f <this file> -p vcl_path=<runtime dir>:<this directory>:...
# edge-settings.vcl is generated into the runtime dir by render-vcl.mjs: the backend (the app),
# the PURGE allow-list ACL and the grace window. school-cache.vcl holds the caching logic.

import std;
import bodyaccess;
import xkey;

include "edge-settings.vcl";
include "school-cache.vcl";
