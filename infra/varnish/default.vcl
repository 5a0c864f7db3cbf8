vcl 4.1;
# The edge cache in front of the school data service.
#
# Loaded by scripts/start-edge.mjs (and test/support/varnish.ts) as
#   varnishd -f <this file> -p vcl_path=<runtime dir>:<this directory>:...
# edge-settings.vcl is generated into the runtime dir by render-vcl.mjs: the backends (the app
# instances, their health probe and the director over them), the PURGE allow-list ACL and the grace
# window. edge-instances.vcl picks an instance, retries idempotent requests on another one and logs
# for `npm run edge:stats`; it must come before school-cache.vcl, which holds the caching logic.

import std;
import bodyaccess;
import xkey;
import directors;

include "edge-settings.vcl";
include "edge-instances.vcl";
include "school-cache.vcl";
