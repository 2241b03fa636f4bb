-- wrk-post.lua — POSTs the JSON body in the file named by $BODY to the
-- URL's path (bench.sh: POST /api/v0/tracks with 50 ids).
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
