"""Pure computations of production monitoring, shared by the service and the offline reports.

* :mod:`.psi` -- population stability index of a score;
* :mod:`.stats` -- Wilson interval, the model's interval of an observed rate, AUC, realised cost;
* :mod:`.production` -- production scores per day/week against training: volumes, decision
  shares, distribution, PSI, top drifted features;
* :mod:`.backtest` -- expected against observed default rates per score band and vintage;
* :mod:`.overrides` -- advisors' overrides by band, advisor and reason, and their outcomes;
* :mod:`.challenger` -- champion against challenger on the same requests.

No I/O, no Flask, no model: frames and arrays in, plain dicts out.
"""
