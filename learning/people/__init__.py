"""Services of the people half of stage 5: listening to staff (surveys, staff lists, talks, policy) and
exploring trends (discussion group, think-tank ideas, experiment log). HTML views, the API and the demo
data all call these functions."""
