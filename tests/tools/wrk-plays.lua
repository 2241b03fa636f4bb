-- wrk-plays.lua — GET /api/v0/plays/userNNNN?limit=50 for a random one of
-- the 1000 users that `ln-fixture gen` writes (bench.sh, API section).
math.randomseed(42)
request = function()
	return wrk.format("GET", string.format(
	    "/api/v0/plays/user%04d?limit=50", math.random(0, 999)))
end
